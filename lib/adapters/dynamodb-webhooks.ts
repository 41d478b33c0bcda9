import { ConditionalCheckFailedException, DeleteItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { WebhookRepository } from '../ports';
import { type WebhookRecord, failedDeliverySchema, webhookDeliverySchema, webhookRecordSchema } from '../webhooks/schemas';
import { type Item, parseDoc, toItem } from './dynamodb-doc';
import { deliveryClaimDays, expiresAfter, failedDeliveryDays, parkedDeliveryDays, webhookKeys } from './dynamodb-keys';
import { type TableOperations, versionIs } from './dynamodb-support';

/** Webhooks, delivery claims and given-up deliveries on the one table (docs/data-model.md). */
export function dynamoDbWebhooks({ client, tableName, getItem, queryAll, collect, transact, put, del }: TableOperations): WebhookRepository {
  const queryPrefix = (workspaceId: string, prefix: string, newestFirst = false): Promise<Item[]> =>
    queryAll({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: toItem({ ':pk': webhookKeys.partition(workspaceId), ':prefix': prefix }),
      ConsistentRead: true,
      ScanIndexForward: !newestFirst,
    });
  const itemOf = (r: WebhookRecord) => toItem({ ...webhookKeys.key(r.workspace_id, r.webhook_id), doc: r });

  return {
    // Writes of a webhook are transactions, so an Idempotency-Key commits with them (a failed condition is ConflictError).
    async create(record) {
      await transact([{ role: 'item', write: put(itemOf(record), { ConditionExpression: 'attribute_not_exists(pk)' }) }]);
    },
    async get(workspaceId, webhookId) {
      const item = await getItem(webhookKeys.key(workspaceId, webhookId));
      return item && parseDoc(webhookRecordSchema, item);
    },
    async list(workspaceId) {
      const records = (await queryPrefix(workspaceId, webhookKeys.prefix)).map((item) => parseDoc(webhookRecordSchema, item));
      return records.sort((a, b) => a.created_at.localeCompare(b.created_at));
    },
    async update(next, previous) {
      await transact([{ role: 'item', write: put(itemOf(next), versionIs(previous.version)) }]);
    },
    async remove(previous) {
      await transact([{ role: 'item', write: del(webhookKeys.key(previous.workspace_id, previous.webhook_id), versionIs(previous.version)) }]);
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
    async parkDelivery(delivery, releaseAt) {
      const key = webhookKeys.parked(delivery.workspace_id, delivery.message_id, delivery.attempt);
      const item = toItem({ ...key, due_shard: webhookKeys.parkedShard, due_at: releaseAt, expires_at: expiresAfter(releaseAt, parkedDeliveryDays), doc: delivery });
      await client.send(new PutItemCommand({ TableName: tableName, Item: item }));
    },
    async takeParkedDeliveries(now, leaseUntil, limit) {
      const due = await collect(
        {
          IndexName: 'due',
          KeyConditionExpression: 'due_shard = :shard AND due_at <= :now',
          ExpressionAttributeValues: toItem({ ':shard': webhookKeys.parkedShard, ':now': now }),
        },
        limit,
        (item) => item,
      );
      const taken = [];
      for (const { item } of due) {
        const delivery = parseDoc(webhookDeliverySchema, item);
        try {
          // The index is read eventually; the item itself decides: only the caller that moves its release first has it.
          await client.send(
            new UpdateItemCommand({
              TableName: tableName,
              Key: toItem(webhookKeys.parked(delivery.workspace_id, delivery.message_id, delivery.attempt)),
              UpdateExpression: 'SET due_at = :lease',
              ConditionExpression: 'due_at = :seen',
              ExpressionAttributeValues: toItem({ ':lease': leaseUntil, ':seen': item.due_at?.S ?? '' }),
            }),
          );
          taken.push(delivery);
        } catch (error) {
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
        }
      }
      return taken;
    },
    async removeParkedDelivery(delivery) {
      await client.send(new DeleteItemCommand({ TableName: tableName, Key: toItem(webhookKeys.parked(delivery.workspace_id, delivery.message_id, delivery.attempt)) }));
    },
  };
}
