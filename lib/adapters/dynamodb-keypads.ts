import { type AttributeValue, type DynamoDBClient, QueryCommand, PutItemCommand, TransactWriteItemsCommand, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import * as z from 'zod';
import type { SandboxKeypadStore, SandboxSlot } from '../providers/sandbox';
import { idSchema, timestampSchema } from '../schema-helpers';
import { batchedGets } from './dynamodb-batched-gets';
import { keypadKeys } from './dynamodb-keys';
import { recurringScheduleSchema } from '../devices/weekly-schedule';

const slotSchema = z.object({
  workspace_id: idSchema,
  device_id: idSchema,
  access_code_id: idSchema,
  code: z.string(),
  name: z.string().optional(),
  starts_at: timestampSchema.optional(),
  ends_at: timestampSchema.optional(),
  recurring_schedule: recurringScheduleSchema.optional(),
  state: z.enum(['adding', 'present', 'removing']),
  settles_at: timestampSchema,
  external: z.boolean().optional(),
}) satisfies z.ZodType<SandboxSlot>;

/** Which writes of a cancelled transaction failed their condition, in order; empty for any other error. */
const failedConditions = (error: unknown): boolean[] => (error instanceof TransactionCanceledException ? (error.CancellationReasons ?? []).map((r) => r.Code === 'ConditionalCheckFailed') : []);

/** The sandbox locks' keypad memory in the table, so it survives Lambda instances and restarts. */
export function dynamoDbKeypadStore(client: DynamoDBClient, tableName: string): SandboxKeypadStore {
  const slotItem = (slot: SandboxSlot) => marshall({ ...keypadKeys.slot(slot.workspace_id, slot.device_id, slot.access_code_id), doc: slotSchema.parse(slot) }, { removeUndefinedValues: true });
  const replace = async (slot: SandboxSlot) => {
    await client.send(new PutItemCommand({ TableName: tableName, Item: slotItem(slot), ConditionExpression: 'attribute_exists(pk)' }));
  };
  // The poller's steps read many slots at once: they go out together.
  const getItem = batchedGets(client, tableName);
  return {
    async get(workspaceId, deviceId, accessCodeId) {
      const item = await getItem(keypadKeys.slot(workspaceId, deviceId, accessCodeId));
      return item ? slotSchema.parse(unmarshall(item).doc) : undefined;
    },
    async put(slot, capacity) {
      try {
        await client.send(
          new TransactWriteItemsCommand({
            TransactItems: [
              { Put: { TableName: tableName, Item: slotItem(slot), ConditionExpression: 'attribute_not_exists(pk)' } },
              {
                Update: {
                  TableName: tableName,
                  Key: marshall(keypadKeys.counter(slot.workspace_id, slot.device_id)),
                  UpdateExpression: 'ADD used :one',
                  ConditionExpression: 'attribute_not_exists(used) OR used < :capacity',
                  ExpressionAttributeValues: marshall({ ':one': 1, ':capacity': capacity }),
                },
              },
            ],
          }),
        );
        return true;
      } catch (error) {
        const [slotTaken, full] = failedConditions(error);
        if (full && !slotTaken) return false;
        if (!slotTaken) throw error;
      }
      // The code already holds a slot: rewrite it in place, the count unchanged.
      await replace(slot);
      return true;
    },
    replace,
    async list(workspaceId, deviceId) {
      const slots: SandboxSlot[] = [];
      let start: Record<string, AttributeValue> | undefined;
      do {
        const page = await client.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :slot)',
            ExpressionAttributeValues: marshall({ ':pk': keypadKeys.slot(workspaceId, deviceId, '').pk, ':slot': keypadKeys.slotPrefix }),
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        );
        for (const item of page.Items ?? []) slots.push(slotSchema.parse(unmarshall(item).doc));
        start = page.LastEvaluatedKey;
      } while (start !== undefined);
      return slots;
    },
    async delete(workspaceId, deviceId, accessCodeId) {
      try {
        await client.send(
          new TransactWriteItemsCommand({
            TransactItems: [
              { Delete: { TableName: tableName, Key: marshall(keypadKeys.slot(workspaceId, deviceId, accessCodeId)), ConditionExpression: 'attribute_exists(pk)' } },
              {
                Update: {
                  TableName: tableName,
                  Key: marshall(keypadKeys.counter(workspaceId, deviceId)),
                  UpdateExpression: 'ADD used :minus',
                  ExpressionAttributeValues: marshall({ ':minus': -1 }),
                },
              },
            ],
          }),
        );
      } catch (error) {
        // Already freed by an earlier run: nothing to do.
        if (!failedConditions(error).some(Boolean)) throw error;
      }
    },
  };
}
