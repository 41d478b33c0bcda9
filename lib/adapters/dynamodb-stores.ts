import {
  type AttributeValue,
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  type QueryCommandInput,
  type TransactWriteItem,
  TransactWriteItemsCommand,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import * as z from 'zod';
import { type AccessCodeRecord, accessCodeRecordSchema } from '../access-codes/schemas';
import { type ActionAttemptRecord, actionAttemptRecordSchema } from '../action-attempts/schemas';
import { deviceRecordSchema } from '../devices/schemas';
import { ConflictError, DuplicateAccessCodeError, InvalidInputError } from '../errors';
import { type SeamEvent, eventSchema } from '../events/schemas';
import type { AccessCodeRepository, ListAccessCodesQuery, Page, Stores, WriteExtras } from '../ports';
import { idSchema } from '../schema-helpers';
import { apiKeyRecordSchema, workspaceSchema } from '../workspaces/schemas';
import {
  type TableKey,
  accessCodeKeys,
  actionAttemptKeys,
  apiKeyKeys,
  commonCodeKeyKeys,
  deviceKeys,
  dueShardKey,
  eventKeys,
  pinClaimKeys,
  skPrefix,
  workspaceKeys,
} from './dynamodb-keys';
import { dynamoDbConnectedAccounts } from './dynamodb-connected-accounts';
import { type Item, fromItem, parseDoc, toItem } from './dynamodb-doc';
import { matchesSearch } from '../access-codes/search';
import { matchesEventQuery } from '../events/filters';

export interface DynamoDbStoresOptions {
  client: DynamoDBClient;
  tableName: string;
}


/** What a transaction's write is, so that a cancellation reason maps to the right domain error. */
type WriteRole = 'code' | 'pin' | 'commonCodeKey' | 'extra';

const BATCH_GET_MAX_KEYS = 100;
const FILTERED_PAGE_SIZE = 100;
const MAX_RETRIES = 5;

const invalidCursor = () => InvalidInputError.forField('page_cursor', 'Invalid or expired page cursor');
const pinClaimSchema = z.object({ access_code_id: idSchema });
const commonCodeKeyClaimSchema = z.object({ code: z.string() });
/** The sort position a code listing resumes after: its base-table sort key, and its gsi1 sort key when listed by device. */
const codeCursorSchema = z.strictObject({
  sk: z.string().regex(/^CODE#[0-9a-fA-F-]{36}$/),
  gsi1sk: z
    .string()
    .regex(/^[0-9T:.+\-Z]{1,40}#[0-9a-fA-F-]{36}$/)
    .optional(),
});
type CodeCursor = z.infer<typeof codeCursorSchema>;

/**
 * The stores on one DynamoDB table (data model in docs/data-model.md). Every code write is a
 * single TransactWriteItems carrying the code, its PIN and common-code-key claims, and the
 * write's action attempt and events, so that they commit or fail together. No request path
 * scans the table.
 */
export function createDynamoDbStores({ client, tableName }: DynamoDbStoresOptions): Stores {
  const getItem = async (key: TableKey): Promise<Item | undefined> =>
    (await client.send(new GetItemCommand({ TableName: tableName, Key: toItem(key), ConsistentRead: true }))).Item;

  const putItem = async (item: Item): Promise<void> => {
    await client.send(new PutItemCommand({ TableName: tableName, Item: item }));
  };

  /**
   * Reads Query pages until `wanted` items pass `pick` (which parses an item, or returns
   * undefined to skip it) or the results end. DynamoDB applies `Limit` before any filter, so
   * filtered reads loop here instead of trusting one page.
   */
  async function collect<T>(
    input: Omit<QueryCommandInput, 'TableName' | 'Limit'>,
    wanted: number,
    pick: (item: Item) => T | undefined,
    filtered = false,
  ): Promise<{ item: Item; value: T }[]> {
    const found: { item: Item; value: T }[] = [];
    let startKey = input.ExclusiveStartKey;
    do {
      const remaining = wanted - found.length;
      const limit = Number.isFinite(remaining) ? (filtered ? Math.max(remaining, FILTERED_PAGE_SIZE) : remaining) : undefined;
      const page = await client.send(new QueryCommand({ ...input, TableName: tableName, ExclusiveStartKey: startKey, Limit: limit }));
      for (const item of page.Items ?? []) {
        const value = pick(item);
        if (value === undefined) continue;
        found.push({ item, value });
        if (found.length >= wanted) return found;
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return found;
  }

  /** Commits `writes` atomically, turning failed conditions into domain errors. */
  async function transact(writes: readonly { role: WriteRole; write: TransactWriteItem }[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await client.send(new TransactWriteItemsCommand({ TransactItems: writes.map((w) => w.write) }));
        return;
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const reasons = error.CancellationReasons ?? [];
        const failed = (role: WriteRole) => writes.some((w, i) => w.role === role && reasons[i]?.Code === 'ConditionalCheckFailed');
        if (failed('code')) throw new ConflictError();
        if (failed('pin')) throw new DuplicateAccessCodeError();
        if (failed('commonCodeKey')) throw new ConflictError('common_code_key is bound to another code');
        // A concurrent transaction on the same items: nothing was written, so running it again
        // either succeeds or reports which condition now fails.
        if (!reasons.some((r) => r.Code === 'TransactionConflict')) throw error;
        if (attempt >= MAX_RETRIES) throw new ConflictError();
        await backOff(attempt);
      }
    }
  }

  const put = (item: Item, condition?: Condition): TransactWriteItem => ({ Put: { TableName: tableName, Item: item, ...condition } });
  const del = (key: TableKey, condition?: Condition): TransactWriteItem => ({ Delete: { TableName: tableName, Key: toItem(key), ...condition } });
  const extraWrites = (extras: WriteExtras | undefined) => [
    ...(extras?.attempts ?? []).map((a) => ({ role: 'extra' as const, write: put(actionAttemptItem(a)) })),
    ...(extras?.events ?? []).map((e) => ({ role: 'extra' as const, write: put(eventItem(e)) })),
  ];

  const parseCode = (item: Item) => parseDoc(accessCodeRecordSchema, item);
  const getCode = async (workspaceId: string, accessCodeId: string) => {
    const item = await getItem(accessCodeKeys.key(workspaceId, accessCodeId));
    return item && parseCode(item);
  };

  const accessCodes: AccessCodeRepository = {
    get: getCode,

    async getByPin(workspaceId, deviceId, code) {
      const claim = await getItem(pinClaimKeys.key(workspaceId, deviceId, code));
      return claim && getCode(workspaceId, pinClaimSchema.parse(fromItem(claim)).access_code_id);
    },

    async getMany(workspaceId, accessCodeIds) {
      const unique = [...new Set(accessCodeIds)];
      const byId = new Map<string, AccessCodeRecord>();
      for (let i = 0; i < unique.length; i += BATCH_GET_MAX_KEYS) {
        let keys: Item[] | undefined = unique.slice(i, i + BATCH_GET_MAX_KEYS).map((id) => toItem(accessCodeKeys.key(workspaceId, id)));
        for (let attempt = 1; keys !== undefined && keys.length > 0; attempt++) {
          if (attempt > 1) await backOff(attempt - 1);
          if (attempt > MAX_RETRIES + 1) throw new Error('BatchGetItem kept returning unprocessed keys');
          const result: BatchGetItemCommandOutput = await client.send(
            new BatchGetItemCommand({ RequestItems: { [tableName]: { Keys: keys, ConsistentRead: true } } }),
          );
          for (const item of result.Responses?.[tableName] ?? []) {
            const record = parseCode(item);
            byId.set(record.access_code.access_code_id, record);
          }
          keys = result.UnprocessedKeys?.[tableName]?.Keys;
        }
      }
      return accessCodeIds.flatMap((id) => {
        const record = byId.get(id);
        return record ? [structuredClone(record)] : [];
      });
    },

    async list(workspaceId, query: ListAccessCodesQuery): Promise<Page<AccessCodeRecord>> {
      const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
      const byDevice = query.deviceId !== undefined;
      if (cursor !== undefined && byDevice !== (cursor.gsi1sk !== undefined)) throw invalidCursor();
      const pk = accessCodeKeys.partition(workspaceId);
      const input: Omit<QueryCommandInput, 'TableName' | 'Limit'> =
        query.deviceId === undefined
          ? {
              KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
              ExpressionAttributeValues: { ':pk': { S: pk }, ':prefix': { S: skPrefix.accessCode } },
              ConsistentRead: true,
              ExclusiveStartKey: cursor && toItem({ pk, sk: cursor.sk }),
            }
          : {
              IndexName: 'gsi1',
              KeyConditionExpression: 'gsi1pk = :gsi1pk',
              ExpressionAttributeValues: { ':gsi1pk': { S: accessCodeKeys.devicePartition(workspaceId, query.deviceId) } },
              ExclusiveStartKey: cursor?.gsi1sk === undefined ? undefined : toItem({
                pk,
                sk: cursor.sk,
                gsi1pk: accessCodeKeys.devicePartition(workspaceId, query.deviceId),
                gsi1sk: cursor.gsi1sk,
              }),
            };
      const search = query.search;
      // One match beyond the page tells whether there is a next page.
      const found = await collect(
        input,
        query.limit + 1,
        (item) => {
          const record = parseCode(item);
          return search === undefined || matchesSearch(record.access_code, search) ? record : undefined;
        },
        search !== undefined,
      );
      const page = found.slice(0, query.limit);
      const last = page.at(-1);
      return {
        items: page.map((f) => f.value),
        nextCursor: found.length > query.limit && last ? encodeCursor(last.item, byDevice) : null,
      };
    },

    async listPins(workspaceId, deviceId) {
      const claims = await collect(
        {
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': { S: pinClaimKeys.partition(workspaceId, deviceId) }, ':prefix': { S: skPrefix.pin } },
          ProjectionExpression: 'sk',
          ConsistentRead: true,
        },
        Number.POSITIVE_INFINITY,
        (item) => item.sk?.S,
      );
      return claims.map((c) => pinClaimKeys.pinOf(c.value));
    },

    async getCommonCodePin(workspaceId, commonCodeKey) {
      const item = await getItem(commonCodeKeyKeys.key(workspaceId, commonCodeKey));
      return item && commonCodeKeyClaimSchema.parse(fromItem(item)).code;
    },

    async create(record, extras) {
      const { workspace_id: workspaceId, common_code_key: commonCodeKey, code, access_code_id: id } = record.access_code;
      const claim = pinClaimKeys.of(record);
      await transact([
        { role: 'code', write: put(codeItem(record), { ConditionExpression: 'attribute_not_exists(pk)' }) },
        ...(claim ? [{ role: 'pin' as const, write: put(pinClaimItem(claim, id), { ConditionExpression: 'attribute_not_exists(pk)' }) }] : []),
        ...(commonCodeKey !== null && code !== null
          ? [
              {
                role: 'commonCodeKey' as const,
                write: put(toItem({ ...commonCodeKeyKeys.key(workspaceId, commonCodeKey), code }), {
                  ConditionExpression: 'attribute_not_exists(pk) OR code = :code',
                  ExpressionAttributeValues: { ':code': { S: code } },
                }),
              },
            ]
          : []),
        ...extraWrites(extras),
      ]);
    },

    async update(next, previous, extras) {
      const [oldClaim, newClaim] = [pinClaimKeys.of(previous), pinClaimKeys.of(next)];
      const moved = oldClaim?.pk !== newClaim?.pk || oldClaim?.sk !== newClaim?.sk;
      await transact([
        { role: 'code', write: put(codeItem(next), versionIs(previous.version)) },
        ...(moved && oldClaim ? [{ role: 'extra' as const, write: del(oldClaim) }] : []),
        ...(moved && newClaim
          ? [
              {
                role: 'pin' as const,
                write: put(pinClaimItem(newClaim, next.access_code.access_code_id), { ConditionExpression: 'attribute_not_exists(pk)' }),
              },
            ]
          : []),
        ...extraWrites(extras),
      ]);
    },

    async remove(previous, extras) {
      const { workspace_id: workspaceId, access_code_id: id } = previous.access_code;
      const claim = pinClaimKeys.of(previous);
      await transact([
        { role: 'code', write: del(accessCodeKeys.key(workspaceId, id), versionIs(previous.version)) },
        ...(claim ? [{ role: 'extra' as const, write: del(claim) }] : []),
        ...extraWrites(extras),
      ]);
    },

    async listDue(shard, now, limit) {
      const due = await collect(
        {
          IndexName: 'due',
          KeyConditionExpression: 'due_shard = :shard AND due_at <= :now',
          ExpressionAttributeValues: { ':shard': { S: dueShardKey(shard) }, ':now': { S: now } },
        },
        limit,
        parseCode,
      );
      return due.map((d) => d.value);
    },
  };

  return {
    accessCodes,
    connectedAccounts: dynamoDbConnectedAccounts({ client, tableName }),

    devices: {
      async get(workspaceId, deviceId) {
        const item = await getItem(deviceKeys.key(workspaceId, deviceId));
        return item && parseDoc(deviceRecordSchema, item);
      },
      async list(workspaceId, { deviceIds, limit }) {
        if (deviceIds?.length === 0) return [];
        const wanted = deviceIds === undefined ? undefined : new Set(deviceIds);
        const found = await collect(
          {
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
            ExpressionAttributeValues: { ':pk': { S: deviceKeys.partition(workspaceId) }, ':prefix': { S: skPrefix.device } },
          },
          limit,
          (item) => {
            const record = parseDoc(deviceRecordSchema, item);
            return wanted === undefined || wanted.has(record.device.device_id) ? record : undefined;
          },
          wanted !== undefined,
        );
        return found.map((f) => f.value);
      },
      async put(record) {
        await putItem(toItem({ ...deviceKeys.key(record.device.workspace_id, record.device.device_id), doc: record }));
      },
      async remove(workspaceId, deviceId) {
        await client.send(new DeleteItemCommand({ TableName: tableName, Key: toItem(deviceKeys.key(workspaceId, deviceId)) }));
      },
    },

    actionAttempts: {
      async get(workspaceId, actionAttemptId) {
        const item = await getItem(actionAttemptKeys.key(workspaceId, actionAttemptId));
        return item && parseDoc(actionAttemptRecordSchema, item);
      },
      async put(record) {
        await putItem(actionAttemptItem(record));
      },
    },

    events: {
      async get(workspaceId, eventId) {
        const item = await getItem(eventKeys.key(workspaceId, eventId));
        return item && parseDoc(eventSchema, item);
      },
      async list(workspaceId, query) {
        const [from, to] = query.between ?? [query.since, undefined];
        if (from !== undefined && to !== undefined && from > to) return [];
        const range = eventTimeRange(from, to);
        const filtered = [query.device_id, query.device_ids, query.access_code_id, query.access_code_ids, query.event_type, query.event_types].some(
          (f) => f !== undefined,
        );
        const found = await collect(
          {
            IndexName: 'gsi1',
            KeyConditionExpression: `gsi1pk = :gsi1pk${range.condition}`,
            ExpressionAttributeValues: { ':gsi1pk': { S: eventKeys.listPartition(workspaceId) }, ...range.values },
            ScanIndexForward: false,
          },
          query.limit,
          (item) => {
            const event = parseDoc(eventSchema, item);
            return matchesEventQuery(event, query) ? event : undefined;
          },
          filtered,
        );
        return found.map((f) => f.value);
      },
    },

    workspaces: {
      async create(workspace) {
        try {
          await client.send(
            new PutItemCommand({
              TableName: tableName,
              Item: toItem({ ...workspaceKeys.key(workspace.workspace_id), ...workspaceKeys.index(workspace), doc: workspace }),
              ConditionExpression: 'attribute_not_exists(pk)',
            }),
          );
        } catch (error) {
          if (error instanceof ConditionalCheckFailedException) throw new ConflictError('Workspace exists');
          throw error;
        }
      },
      async get(workspaceId) {
        const item = await getItem(workspaceKeys.key(workspaceId));
        return item && parseDoc(workspaceSchema, item);
      },
      async list() {
        const found = await collect(
          {
            IndexName: 'gsi1',
            KeyConditionExpression: 'gsi1pk = :gsi1pk',
            ExpressionAttributeValues: { ':gsi1pk': { S: workspaceKeys.listPartition } },
          },
          Number.POSITIVE_INFINITY,
          (item) => parseDoc(workspaceSchema, item),
        );
        return found.map((f) => f.value);
      },
      async putApiKey(record) {
        await putItem(toItem({ ...apiKeyKeys.key(record.key_hash), ...apiKeyKeys.index(record), doc: record }));
      },
      async findApiKeyByHash(keyHash) {
        const item = await getItem(apiKeyKeys.key(keyHash));
        return item && parseDoc(apiKeyRecordSchema, item);
      },
      async listApiKeys(workspaceId) {
        const found = await collect(
          {
            IndexName: 'gsi1',
            KeyConditionExpression: 'gsi1pk = :gsi1pk',
            ExpressionAttributeValues: { ':gsi1pk': { S: apiKeyKeys.listPartition(workspaceId) } },
          },
          Number.POSITIVE_INFINITY,
          (item) => parseDoc(apiKeyRecordSchema, item),
        );
        return found.map((f) => f.value);
      },
      async revokeApiKey(workspaceId, apiKeyId) {
        const [found] = await collect(
          {
            IndexName: 'gsi1',
            KeyConditionExpression: 'gsi1pk = :gsi1pk AND gsi1sk = :gsi1sk',
            ExpressionAttributeValues: {
              ':gsi1pk': { S: apiKeyKeys.listPartition(workspaceId) },
              ':gsi1sk': { S: apiKeyKeys.indexSortKey(apiKeyId) },
            },
          },
          1,
          (item) => parseDoc(apiKeyRecordSchema, item),
        );
        if (found === undefined) return false;
        try {
          await client.send(
            new DeleteItemCommand({
              TableName: tableName,
              Key: toItem(apiKeyKeys.key(found.value.key_hash)),
              ConditionExpression: 'attribute_exists(pk)',
            }),
          );
          return true;
        } catch (error) {
          // Revoked concurrently, and the index had not caught up yet.
          if (error instanceof ConditionalCheckFailedException) return false;
          throw error;
        }
      },
    },
  };
}

interface Condition {
  ConditionExpression: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Item;
}

const versionIs = (version: number): Condition => ({
  ConditionExpression: '#doc.#version = :expected',
  ExpressionAttributeNames: { '#doc': 'doc', '#version': 'version' },
  ExpressionAttributeValues: { ':expected': { N: String(version) } },
});

/** A code item; a full Put, so a cleared due_at also takes the item out of the due index. */
const codeItem = (r: AccessCodeRecord): Item =>
  toItem({
    ...accessCodeKeys.key(r.access_code.workspace_id, r.access_code.access_code_id),
    ...accessCodeKeys.index(r),
    ...accessCodeKeys.due(r),
    doc: r,
  });

const pinClaimItem = (claim: TableKey, accessCodeId: string): Item => toItem({ ...claim, access_code_id: accessCodeId });

const actionAttemptItem = (r: ActionAttemptRecord): Item =>
  toItem({
    ...actionAttemptKeys.key(r.workspace_id, r.action_attempt.action_attempt_id),
    expires_at: actionAttemptKeys.expiresAt(r),
    doc: r,
  });

const eventItem = (e: SeamEvent): Item =>
  toItem({ ...eventKeys.key(e.workspace_id, e.event_id), ...eventKeys.index(e), expires_at: eventKeys.expiresAt(e), doc: e });

/**
 * The gsi1 sort-key condition that holds every event with `from <= occurred_at <= to`; the
 * exact comparison is matchesEventQuery's, applied to what the query returns.
 */
function eventTimeRange(from: string | undefined, to: string | undefined): { condition: string; values: Item } {
  const values: Item = {};
  if (from !== undefined) values[':from'] = { S: eventKeys.lowerBound(from) };
  if (to !== undefined) values[':to'] = { S: eventKeys.upperBound(to) };
  const condition =
    from !== undefined && to !== undefined
      ? ' AND gsi1sk BETWEEN :from AND :to'
      : from !== undefined
        ? ' AND gsi1sk >= :from'
        : to !== undefined
          ? ' AND gsi1sk <= :to'
          : '';
  return { condition, values };
}

function encodeCursor(item: Item, byDevice: boolean): string {
  const cursor: CodeCursor = codeCursorSchema.parse(byDevice ? { sk: item.sk?.S, gsi1sk: item.gsi1sk?.S } : { sk: item.sk?.S });
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeCursor(cursor: string): CodeCursor {
  const bytes = Buffer.from(cursor, 'base64url');
  // The decoder skips what is not base64url; only the exact encoding of a cursor is one.
  if (bytes.toString('base64url') !== cursor) throw invalidCursor();
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  const parsed = codeCursorSchema.safeParse(json);
  if (!parsed.success) throw invalidCursor();
  return parsed.data;
}

const backOff = (attempt: number) =>
  new Promise<void>((resolve) => setTimeout(resolve, Math.random() * Math.min(1000, 25 * 2 ** attempt)));

