import { DeleteItemCommand, type DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { z } from 'zod';
import type { SandboxKeypadStore, SandboxSlot } from '../devices/lock-provider';
import { idSchema, timestampSchema } from '../schema-helpers';

const slotSchema = z.object({
  workspace_id: idSchema,
  device_id: idSchema,
  access_code_id: idSchema,
  code: z.string(),
  starts_at: timestampSchema.optional(),
  ends_at: timestampSchema.optional(),
  state: z.enum(['adding', 'present', 'removing']),
  settles_at: timestampSchema,
}) satisfies z.ZodType<SandboxSlot>;

/** Keypad slots live beside the device's PIN claims: pk `WS#<ws>#DEV#<device>`, sk `SLOT#<code id>`. */
export const keypadKeys = {
  partition: (workspaceId: string, deviceId: string) => `WS#${workspaceId}#DEV#${deviceId}`,
  key: (workspaceId: string, deviceId: string, accessCodeId: string) => ({
    pk: keypadKeys.partition(workspaceId, deviceId),
    sk: `SLOT#${accessCodeId}`,
  }),
};

/** The sandbox locks' keypad memory in the table, so it survives Lambda instances and restarts. */
export function dynamoDbKeypadStore(client: DynamoDBClient, tableName: string): SandboxKeypadStore {
  return {
    async get(workspaceId, deviceId, accessCodeId) {
      const { Item } = await client.send(
        new GetItemCommand({ TableName: tableName, Key: marshall(keypadKeys.key(workspaceId, deviceId, accessCodeId)), ConsistentRead: true }),
      );
      return Item ? slotSchema.parse(unmarshall(Item).doc) : undefined;
    },
    async put(slot) {
      const item = { ...keypadKeys.key(slot.workspace_id, slot.device_id, slot.access_code_id), doc: slotSchema.parse(slot) };
      await client.send(new PutItemCommand({ TableName: tableName, Item: marshall(item, { removeUndefinedValues: true }) }));
    },
    async delete(workspaceId, deviceId, accessCodeId) {
      await client.send(new DeleteItemCommand({ TableName: tableName, Key: marshall(keypadKeys.key(workspaceId, deviceId, accessCodeId)) }));
    },
    async count(workspaceId, deviceId) {
      let total = 0;
      let start: Record<string, unknown> | undefined;
      do {
        const page = await client.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :slot)',
            ExpressionAttributeValues: marshall({ ':pk': keypadKeys.partition(workspaceId, deviceId), ':slot': 'SLOT#' }),
            Select: 'COUNT',
            ...(start && { ExclusiveStartKey: marshall(start) }),
          }),
        );
        total += page.Count ?? 0;
        start = page.LastEvaluatedKey && unmarshall(page.LastEvaluatedKey);
      } while (start);
      return total;
    },
  };
}
