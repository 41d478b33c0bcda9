import { ConditionalCheckFailedException, DeleteItemCommand, type DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type * as z from 'zod';
import { ConflictError } from '../errors';
import type { WebhookRepository } from '../ports';
import { type WebhookRecord, failedDeliverySchema, webhookRecordSchema } from '../webhooks/schemas';
import { deliveryClaimDays, expiresAfter, failedDeliveryDays, webhookKeys } from './dynamodb-keys';

type Item = Record<string, import('@aws-sdk/client-dynamodb').AttributeValue>;
const toItem = (value: object): Item => marshall(value, { removeUndefinedValues: true });
const parseDoc = <T>(schema: z.ZodType<T>, item: Item): T => schema.parse(unmarshall(item).doc);

/** Webhooks, delivery claims and given-up deliveries on the one table (docs/data-model.md). */
export function dynamoDbWebhooks({ client, tableName }: { client: DynamoDBClient; tableName: string }): WebhookRepository {
  const queryPrefix = async (workspaceId: string, prefix: string, newestFirst = false): Promise<Item[]> => {
    const items: Item[] = [];
    let startKey: Item | undefined;
    do {
      const page = await client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: toItem({ ':pk': webhookKeys.partition(workspaceId), ':prefix': prefix }),
          ConsistentRead: true,
          ScanIndexForward: !newestFirst,
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return items;
  };
  const conditional = async (work: () => Promise<unknown>) => {
    try {
      await work();
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new ConflictError();
      throw error;
    }
  };
  const itemOf = (r: WebhookRecord) => toItem({ ...webhookKeys.key(r.workspace_id, r.webhook_id), doc: r });
  const versionIs = (version: number) => ({
    ConditionExpression: '#doc.#version = :version',
    ExpressionAttributeNames: { '#doc': 'doc', '#version': 'version' },
    ExpressionAttributeValues: toItem({ ':version': version }),
  });

  return {
    async create(record) {
      await conditional(() => client.send(new PutItemCommand({ TableName: tableName, Item: itemOf(record), ConditionExpression: 'attribute_not_exists(pk)' })));
    },
    async get(workspaceId, webhookId) {
      const { Item } = await client.send(new GetItemCommand({ TableName: tableName, Key: toItem(webhookKeys.key(workspaceId, webhookId)), ConsistentRead: true }));
      return Item && parseDoc(webhookRecordSchema, Item);
    },
    async list(workspaceId) {
      const records = (await queryPrefix(workspaceId, webhookKeys.prefix)).map((item) => parseDoc(webhookRecordSchema, item));
      return records.sort((a, b) => a.created_at.localeCompare(b.created_at));
    },
    async update(next, previous) {
      await conditional(() => client.send(new PutItemCommand({ TableName: tableName, Item: itemOf(next), ...versionIs(previous.version) })));
    },
    async remove(previous) {
      await conditional(() => client.send(new DeleteItemCommand({ TableName: tableName, Key: toItem(webhookKeys.key(previous.workspace_id, previous.webhook_id)), ...versionIs(previous.version) })));
    },
    async claimDelivery(workspaceId, webhookId, eventId, now) {
      try {
        await client.send(
          new PutItemCommand({
            TableName: tableName,
            Item: toItem({ ...webhookKeys.claim(workspaceId, webhookId, eventId), expires_at: expiresAfter(now, deliveryClaimDays) }),
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        return true;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return false;
        throw error;
      }
    },
    async recordFailedDelivery(failed) {
      const item = toItem({ ...webhookKeys.failed(failed.workspace_id, failed.failed_at, failed.message_id), expires_at: expiresAfter(failed.failed_at, failedDeliveryDays), doc: failed });
      await client.send(new PutItemCommand({ TableName: tableName, Item: item }));
    },
    async listFailedDeliveries(workspaceId) {
      return (await queryPrefix(workspaceId, webhookKeys.failedPrefix, true)).map((item) => parseDoc(failedDeliverySchema, item));
    },
  };
}
