import { type BatchGetItemCommandOutput, BatchGetItemCommand, ConditionalCheckFailedException, DeleteItemCommand, type QueryCommandInput, type TransactWriteItem } from '@aws-sdk/client-dynamodb';
import * as z from 'zod';
import type { AccessCodeRecord } from '../access-codes/schemas';
import type { ActionAttemptRecord } from '../action-attempts/schemas';
import { InvalidInputError } from '../errors';
import { type CodeEvent, type SeamEvent, isCodeEvent } from '../events/schemas';
import type { AccessCodeRepository, ListAccessCodesQuery, Page, WriteExtras } from '../ports';
import { matchesSearch } from '../access-codes/search';
import { accessCodeKeys, entryKeys, actionAttemptKeys, codeHistoryKeys, commonCodeKeyKeys, dueShardKey, eventKeys, expiresAfter, pinClaimKeys, skPrefix } from './dynamodb-keys';
import { recordOfCodeItem, storedAccessCode, storedActionAttempt, storedCodeRecord } from './dynamodb-code-doc';
import { type Item, decodeCursor, encodeCursor as opaqueCursor, fromItem, toItem } from './dynamodb-doc';
import { type TableOperations, type TableWrite, versionIs } from './dynamodb-support';
import { type PinClaimChange, holdersOf, listHeldPins, pinClaimWrites, pinsHeldOf } from './dynamodb-pin-claims';
import { claimMoves, holderOf } from '../access-codes/pin-holders';
import type { Written } from '../idempotency/unit-of-work';
import { UnprocessedKeysError, retry, retryPolicies } from '../retry';

const BATCH_GET_MAX_KEYS = 100;

const invalidCursor = () => InvalidInputError.forField('page_cursor', 'Invalid or expired page cursor');
/** A common code key: its PIN and the codes sharing it (`ids`); `tracked` marks keys that record their codes. */
const commonCodeKeyItemSchema = z.object({ code: z.string(), ids: z.set(z.string()).optional(), tracked: z.boolean().optional() });
/** The sort position a code listing resumes after: its base-table sort key, and its gsi1 sort key when listed by device. */
const codeCursorSchema = z.strictObject({
  sk: z.string().regex(/^CODE#[0-9a-fA-F-]{36}$/),
  gsi1sk: z
    .string()
    .regex(/^[0-9T:.+\-Z]{1,40}#[0-9a-fA-F-]{36}$/)
    .optional(),
});
type CodeCursor = z.infer<typeof codeCursorSchema>;

/** How long a gone code's history stays readable, in days. */
export interface CodeHistoryOptions {
  codeHistoryDays: number;
}

/**
 * The writes that travel with a code write: its action attempts, its events, and a copy of
 * each event in its code's history partition.
 */
export function extraWrites(table: TableOperations, extras: WriteExtras | undefined, options: CodeHistoryOptions): TableWrite[] {
  const entry = extras?.entry;
  return [
    ...(entry === undefined
      ? []
      : [{ role: 'entry' as const, write: table.put(toItem({ ...entryKeys.claim(entry), expires_at: entryKeys.expiresAt(entry), doc: entry }), { ConditionExpression: 'attribute_not_exists(pk)' }) }]),
    ...(extras?.attempts ?? []).map((a) => ({ role: 'extra' as const, write: table.put(actionAttemptItem(a)) })),
    ...(extras?.events ?? []).flatMap((e, position) => [
      { role: 'extra' as const, write: table.put(eventItem(e)) },
      ...(isCodeEvent(e) ? [{ role: 'extra' as const, write: table.put(historyEventItem(e, position, options.codeHistoryDays)) }] : []),
    ]),
  ];
}

/** Binds a key to a PIN and records its new codes: free, released, or already bound to this PIN. */
const bindKey = (tableName: string, workspaceId: string, key: string, code: string, ids: readonly string[]): TableWrite => ({
  role: 'commonCodeKey',
  write: {
    Update: {
      TableName: tableName,
      Key: toItem(commonCodeKeyKeys.key(workspaceId, key)),
      UpdateExpression: 'SET #code = :code, #tracked = :true ADD #ids :ids',
      ConditionExpression: 'attribute_not_exists(pk) OR #code = :code OR (attribute_exists(#tracked) AND attribute_not_exists(#ids))',
      ExpressionAttributeNames: { '#code': 'code', '#tracked': 'tracked', '#ids': 'ids' },
      ExpressionAttributeValues: { ':code': { S: code }, ':true': { BOOL: true }, ':ids': { SS: [...ids] } },
    },
  },
});

/** The PIN claim change of a code taking its PIN over its span. */
const taking = (record: AccessCodeRecord): PinClaimChange[] => {
  const key = pinClaimKeys.of(record);
  return key ? [{ key, holder: holderOf(record.access_code) }] : [];
};
/** The PIN claim change of a code leaving its PIN. */
const leaving = (record: AccessCodeRecord): PinClaimChange[] => {
  const key = pinClaimKeys.of(record);
  return key ? [{ key, leaving: record.access_code.access_code_id }] : [];
};

/**
 * Runs a transaction built with its PIN claims until its claims are still as read when it
 * commits: the first run guesses the usual claims without reading them, the others read them
 * fresh (see pinClaimWrites).
 */
export const withPinClaims = (table: TableOperations, build: (guess: boolean) => Promise<TableWrite[]>, written?: Written): Promise<void> =>
  retry(retryPolicies.pinClaimMoved, async (attempt) => table.transact(await build(attempt === 1), written));

/** The writes that create codes: each code and PIN claim, one binding per common code key. */
export async function codeCreationWrites(table: TableOperations, records: readonly AccessCodeRecord[], guess = false): Promise<TableWrite[]> {
  const { put, tableName } = table;
  const writes: TableWrite[] = [];
  const keys = new Map<string, { workspaceId: string; code: string; ids: string[] }>();
  for (const record of records) {
    const { workspace_id: workspaceId, common_code_key: key, code, access_code_id: id } = record.access_code;
    writes.push({ role: 'code', write: put(codeItem(record), { ConditionExpression: 'attribute_not_exists(pk)' }) });
    if (key !== null && code !== null) {
      const bound = keys.get(key) ?? { workspaceId, code, ids: [] };
      if (bound.code !== code) throw new InvalidInputError('Codes sharing a common_code_key must share one PIN');
      bound.ids.push(id);
      keys.set(key, bound);
    }
  }
  writes.push(...(await pinClaimWrites(table, records.flatMap(taking), guess)));
  for (const [key, { workspaceId, code, ids }] of keys) writes.push(bindKey(tableName, workspaceId, key, code, ids));
  return writes;
}

/**
 * Managed access codes on the table (docs/data-model.md). Every write is a single
 * TransactWriteItems carrying the code, its PIN and common-code-key claims, and the write's
 * action attempts and events, so that they commit or fail together.
 */
export function dynamoDbAccessCodes(table: TableOperations, options: CodeHistoryOptions): AccessCodeRepository {
  const { client, tableName, getItem, collect, put, del } = table;
  const extras = (e: WriteExtras | undefined) => extraWrites(table, e, options);
  /** What a write stored, for the answer of a request it commits. */
  const written = (records: readonly AccessCodeRecord[], e: WriteExtras | undefined) => ({
    access_codes: records.map((r) => r.access_code),
    action_attempts: (e?.attempts ?? []).map((a) => a.action_attempt),
  });

  const parseCode = recordOfCodeItem;
  const getCode = async (workspaceId: string, accessCodeId: string) => {
    const item = await getItem(accessCodeKeys.key(workspaceId, accessCodeId));
    return item && parseCode(item);
  };

  async function getMany(workspaceId: string, accessCodeIds: readonly string[]): Promise<AccessCodeRecord[]> {
    const unique = [...new Set(accessCodeIds)];
    const byId = new Map<string, AccessCodeRecord>();
    for (let i = 0; i < unique.length; i += BATCH_GET_MAX_KEYS) {
      let keys: Item[] = unique.slice(i, i + BATCH_GET_MAX_KEYS).map((id) => toItem(accessCodeKeys.key(workspaceId, id)));
      await retry(retryPolicies.unprocessedKeys, async () => {
        const result: BatchGetItemCommandOutput = await client.send(new BatchGetItemCommand({ RequestItems: { [tableName]: { Keys: keys, ConsistentRead: true } } }));
        for (const item of result.Responses?.[tableName] ?? []) {
          const record = parseCode(item);
          byId.set(record.access_code.access_code_id, record);
        }
        keys = result.UnprocessedKeys?.[tableName]?.Keys ?? [];
        if (keys.length > 0) throw new UnprocessedKeysError(keys.length);
      });
    }
    return accessCodeIds.flatMap((id) => {
      const record = byId.get(id);
      return record ? [structuredClone(record)] : [];
    });
  }

  const getCommonCode = async (workspaceId: string, key: string) => {
    const item = await getItem(commonCodeKeyKeys.key(workspaceId, key));
    if (!item) return undefined;
    const claim = commonCodeKeyItemSchema.parse(fromItem(item));
    // A tracked key with no codes left binds nothing.
    return claim.tracked && (claim.ids?.size ?? 0) === 0 ? undefined : claim;
  };

  const leaveKey = (workspaceId: string, key: string, id: string): TransactWriteItem => ({
    Update: {
      TableName: tableName,
      Key: toItem(commonCodeKeyKeys.key(workspaceId, key)),
      UpdateExpression: 'DELETE #ids :ids',
      ExpressionAttributeNames: { '#ids': 'ids' },
      ExpressionAttributeValues: { ':ids': { SS: [id] } },
    },
  });
  /** Drops a key item none of whose codes is left; a key that gained a code meanwhile stays. */
  const dropReleasedKey = async (workspaceId: string, key: string) => {
    try {
      await client.send(
        new DeleteItemCommand({
          TableName: tableName,
          Key: toItem(commonCodeKeyKeys.key(workspaceId, key)),
          ConditionExpression: 'attribute_exists(#tracked) AND attribute_not_exists(#ids)',
          ExpressionAttributeNames: { '#tracked': 'tracked', '#ids': 'ids' },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  };

  return {
    get: getCode,

    async listByPin(workspaceId, deviceId, code, except) {
      const holders = holdersOf(await getItem(pinClaimKeys.key(workspaceId, deviceId, code)));
      const others = holders.map((h) => h.access_code_id).filter((id) => id !== except);
      return others.length === 0 ? [] : getMany(workspaceId, others);
    },

    getMany,

    async list(workspaceId, query: ListAccessCodesQuery): Promise<Page<AccessCodeRecord>> {
      const cursor = query.cursor === undefined ? undefined : decodeCursor(codeCursorSchema, query.cursor, invalidCursor);
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
              ExclusiveStartKey:
                cursor?.gsi1sk === undefined
                  ? undefined
                  : toItem({
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

    listPins: (workspaceId, deviceId, during) => listHeldPins(table, workspaceId, deviceId, during),
    pinsHeld: (workspaceId, deviceId, pins, during) => pinsHeldOf(table, workspaceId, deviceId, pins, during),

    async getCommonCodePin(workspaceId, commonCodeKey) {
      return (await getCommonCode(workspaceId, commonCodeKey))?.code;
    },

    async listByCommonCodeKey(workspaceId, commonCodeKey) {
      const claim = await getCommonCode(workspaceId, commonCodeKey);
      return claim?.ids ? getMany(workspaceId, [...claim.ids].sort()) : [];
    },

    async create(record, extra) {
      await withPinClaims(table, async (guess) => [...(await codeCreationWrites(table, [record], guess)), ...extras(extra)], written([record], extra));
    },

    async createMany(records, extra) {
      if (records.length === 0) return;
      await withPinClaims(table, async (guess) => [...(await codeCreationWrites(table, records, guess)), ...extras(extra)], written(records, extra));
    },

    async update(next, previous, extra) {
      const moves = claimMoves(previous.access_code, next.access_code);
      const { workspace_id: workspaceId, common_code_key: key, access_code_id: id } = next.access_code;
      const rebind = key !== null && next.access_code.code !== null && previous.access_code.code !== null && next.access_code.code !== previous.access_code.code;
      await withPinClaims(
        table,
        async () => [
          { role: 'code', write: put(codeItem(next), versionIs(previous.version)) },
          ...(moves ? await pinClaimWrites(table, [...leaving(previous), ...taking(next)]) : []),
          // A key's PIN follows its code only while that code is the key's one code.
          ...(rebind
            ? [
                {
                  role: 'commonCodeKey' as const,
                  write: {
                    Update: {
                      TableName: tableName,
                      Key: toItem(commonCodeKeyKeys.key(workspaceId, key)),
                      UpdateExpression: 'SET #code = :new',
                      ConditionExpression: '#code = :old AND size(#ids) = :one AND contains(#ids, :id)',
                      ExpressionAttributeNames: { '#code': 'code', '#ids': 'ids' },
                      ExpressionAttributeValues: {
                        ':new': { S: next.access_code.code ?? '' },
                        ':old': { S: previous.access_code.code ?? '' },
                        ':one': { N: '1' },
                        ':id': { S: id },
                      },
                    },
                  },
                },
              ]
            : []),
          ...extras(extra),
        ],
        written([next], extra),
      );
    },

    async remove(previous, extra) {
      const { workspace_id: workspaceId, access_code_id: id, common_code_key: key } = previous.access_code;
      const removedAt = extra?.events?.[0]?.occurred_at ?? new Date().toISOString();
      await withPinClaims(
        table,
        async (guess) => [
          { role: 'code', write: del(accessCodeKeys.key(workspaceId, id), versionIs(previous.version)) },
          ...(await pinClaimWrites(table, leaving(previous), guess)),
          ...(key !== null ? [{ role: 'extra' as const, write: leaveKey(workspaceId, key, id) }] : []),
          {
            role: 'extra',
            write: put(
              toItem({
                ...codeHistoryKeys.gone(workspaceId, id),
                expires_at: expiresAfter(removedAt, options.codeHistoryDays),
                doc: {
                  access_code: storedAccessCode(previous.access_code),
                  removed_at: removedAt,
                  readable_until: new Date(Date.parse(removedAt) + options.codeHistoryDays * 86_400_000).toISOString(),
                },
              }),
            ),
          },
          ...extras(extra),
        ],
        written([], extra),
      );
      if (key !== null) await dropReleasedKey(workspaceId, key);
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
}

/** A code item; a full Put, so a cleared due_at also takes the item out of the due index. */
const codeItem = (r: AccessCodeRecord): Item =>
  toItem({
    ...accessCodeKeys.key(r.access_code.workspace_id, r.access_code.access_code_id),
    ...accessCodeKeys.index(r),
    ...accessCodeKeys.due(r),
    doc: storedCodeRecord(r),
  });

export const actionAttemptItem = (r: ActionAttemptRecord): Item =>
  toItem({
    ...actionAttemptKeys.key(r.workspace_id, r.action_attempt.action_attempt_id),
    expires_at: actionAttemptKeys.expiresAt(r),
    doc: storedActionAttempt(r),
  });

const eventItem = (e: SeamEvent): Item => toItem({ ...eventKeys.key(e.workspace_id, e.event_id), ...eventKeys.index(e), expires_at: eventKeys.expiresAt(e), doc: e });

const historyEventItem = (e: CodeEvent, position: number, historyDays: number): Item =>
  toItem({ ...codeHistoryKeys.event(e, position), expires_at: codeHistoryKeys.expiresAt(e, historyDays), doc: e });

function encodeCursor(item: Item, byDevice: boolean): string {
  const cursor: CodeCursor = codeCursorSchema.parse(byDevice ? { sk: item.sk?.S, gsi1sk: item.gsi1sk?.S } : { sk: item.sk?.S });
  return opaqueCursor(cursor);
}
