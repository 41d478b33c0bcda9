import { defaultCodeHistoryDays } from '../settings';
import { createDynamoDbAccessStores } from './dynamodb-access';
import { dynamoDbWebhooks } from './dynamodb-webhooks';
import { ConditionalCheckFailedException, DeleteItemCommand, type DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { deviceRecordSchema } from '../devices/schemas';
import { ConflictError } from '../errors';
import { eventSchema } from '../events/schemas';
import { type Stores, sweepJoinedAt } from '../ports';
import { apiKeyRecordSchema, workspaceSchema } from '../workspaces/schemas';
import { matchesEventQuery } from '../events/filters';
import { actionAttemptItem, dynamoDbAccessCodes, extraWrites } from './dynamodb-access-codes';
import { storedActionAttemptSchema } from './dynamodb-code-doc';
import { dueShardOf } from './dynamodb-table';
import { dynamoDbCodeHistory } from './dynamodb-code-history';
import { dynamoDbConnectedAccounts } from './dynamodb-connected-accounts';
import { dynamoDbIdempotencyKeys } from './dynamodb-idempotency-keys';
import { dynamoDbLockActions } from './dynamodb-lock-actions';
import { dynamoDbCallPacing } from './dynamodb-call-pacing';
import { dynamoDbUnmanagedCodes } from './dynamodb-unmanaged-codes';
import { actionAttemptKeys, apiKeyKeys, deviceKeys, eventKeys, skPrefix, workspaceKeys } from './dynamodb-keys';
import { type Item, parseDoc, toItem } from './dynamodb-doc';
import { tableOperations } from './dynamodb-support';

export interface DynamoDbStoresOptions {
  client: DynamoDBClient;
  tableName: string;
  /** How long a gone code's timeline stays readable, in days (LATCHKEY_CODE_HISTORY_DAYS). */
  codeHistoryDays?: number;
}

/**
 * The stores on one DynamoDB table (data model in docs/data-model.md). Code writes are single
 * transactions (dynamodb-access-codes.ts). No request path scans the table.
 */
export function createDynamoDbStores({ client, tableName, codeHistoryDays = defaultCodeHistoryDays }: DynamoDbStoresOptions): Stores {
  const table = tableOperations(client, tableName);
  const { getItem, putItem, collect } = table;
  const accessCodes = dynamoDbAccessCodes(table, { codeHistoryDays });

  return {
    ...createDynamoDbAccessStores(table),
    webhooks: dynamoDbWebhooks(table),
    accessCodes,
    codeHistory: dynamoDbCodeHistory(table),
    unmanagedCodes: dynamoDbUnmanagedCodes(table, { codeHistoryDays }),
    connectedAccounts: dynamoDbConnectedAccounts(table),
    idempotencyKeys: dynamoDbIdempotencyKeys(table),
    lockActions: dynamoDbLockActions(table, { codeHistoryDays }),
    pacing: dynamoDbCallPacing(table),

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
        const { workspace_id: workspaceId, device_id: deviceId } = record.device;
        await putItem(toItem({ ...deviceKeys.key(workspaceId, deviceId), doc: record }));
        // A new lock joins the sweep, due at once; a known one keeps its place.
        await client
          .send(
            new PutItemCommand({
              TableName: tableName,
              Item: toItem({
                ...deviceKeys.sweep(workspaceId, deviceId),
                due_shard: deviceKeys.sweepShard(dueShardOf(deviceId)),
                due_at: sweepJoinedAt,
                workspace_id: workspaceId,
                device_id: deviceId,
              }),
              ConditionExpression: 'attribute_not_exists(pk)',
            }),
          )
          .catch((error: unknown) => {
            if (!(error instanceof ConditionalCheckFailedException)) throw error;
          });
      },
      async remove(workspaceId, deviceId) {
        await client.send(new DeleteItemCommand({ TableName: tableName, Key: toItem(deviceKeys.key(workspaceId, deviceId)) }));
        await client.send(new DeleteItemCommand({ TableName: tableName, Key: toItem(deviceKeys.sweep(workspaceId, deviceId)) }));
      },
      async listSweepDue(shard, now, limit) {
        const due = await collect(
          {
            IndexName: 'due',
            KeyConditionExpression: 'due_shard = :shard AND due_at <= :now',
            ExpressionAttributeValues: { ':shard': { S: deviceKeys.sweepShard(shard) }, ':now': { S: now } },
          },
          limit,
          (item) => ({ workspace_id: item.workspace_id?.S ?? '', device_id: item.device_id?.S ?? '', due_at: item.due_at?.S ?? '' }),
        );
        return due.map((d) => d.value);
      },
      async moveSweep(sweep, next) {
        try {
          await client.send(
            new UpdateItemCommand({
              TableName: tableName,
              Key: toItem(deviceKeys.sweep(sweep.workspace_id, sweep.device_id)),
              UpdateExpression: 'SET due_at = :next',
              ConditionExpression: 'due_at = :was',
              ExpressionAttributeValues: toItem({ ':next': next, ':was': sweep.due_at }),
            }),
          );
          return true;
        } catch (error) {
          if (error instanceof ConditionalCheckFailedException) return false;
          throw error;
        }
      },
    },

    actionAttempts: {
      async get(workspaceId, actionAttemptId) {
        const item = await getItem(actionAttemptKeys.key(workspaceId, actionAttemptId));
        return item && parseDoc(storedActionAttemptSchema, item);
      },
      async put(record) {
        await putItem(actionAttemptItem(record));
      },
    },

    events: {
      async recordEntry(entry, events) {
        await table.transact(extraWrites(table, { entry, events: [...events] }, { codeHistoryDays }));
      },
      async get(workspaceId, eventId) {
        const item = await getItem(eventKeys.key(workspaceId, eventId));
        return item && parseDoc(eventSchema, item);
      },
      async list(workspaceId, query) {
        const [from, to] = query.between ?? [query.since, undefined];
        if (from !== undefined && to !== undefined && from > to) return [];
        const range = eventTimeRange(from, to);
        const filtered = [query.device_id, query.device_ids, query.access_code_id, query.access_code_ids, query.event_type, query.event_types].some((f) => f !== undefined);
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

/**
 * The gsi1 sort-key condition that holds every event with `from <= occurred_at <= to`; the
 * exact comparison is matchesEventQuery's, applied to what the query returns.
 */
function eventTimeRange(from: string | undefined, to: string | undefined): { condition: string; values: Item } {
  const values: Item = {};
  if (from !== undefined) values[':from'] = { S: eventKeys.lowerBound(from) };
  if (to !== undefined) values[':to'] = { S: eventKeys.upperBound(to) };
  const condition = from !== undefined && to !== undefined ? ' AND gsi1sk BETWEEN :from AND :to' : from !== undefined ? ' AND gsi1sk >= :from' : to !== undefined ? ' AND gsi1sk <= :to' : '';
  return { condition, values };
}
