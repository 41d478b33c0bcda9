import { ConditionalCheckFailedException, DeleteItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { heldBy, mayTake, runningRecord } from '../idempotency/claims';
import { type IdempotencyKeyRecord, idempotencyKeyRecordSchema } from '../idempotency/schemas';
import { keyDigest, sealAnswer } from '../idempotency/seal';
import type { IdempotencyKeyRepository } from '../ports';
import { type Item, parseDoc, toItem } from './dynamodb-doc';
import { idempotencyKeyKeys } from './dynamodb-keys';
import { type TableOperations, keyIsHeld } from './dynamodb-support';

const names = { '#doc': 'doc', '#state': 'state', '#token': 'token', '#answer': 'answer' };

const keyItem = (record: IdempotencyKeyRecord): Item =>
  toItem({ ...idempotencyKeyKeys.key(record.workspace_id, record.key_digest), expires_at: Math.ceil(Date.parse(record.expires_at) / 1000), doc: record });

/** Idempotency keys on the table, expired by its TTL (and treated as gone from `expires_at` on, before TTL removes them). */
export function dynamoDbIdempotencyKeys(table: TableOperations): IdempotencyKeyRepository {
  const { client, tableName, getItem } = table;
  const parse = (item: Item) => parseDoc(idempotencyKeyRecordSchema, item);

  async function put(record: IdempotencyKeyRecord, existing: IdempotencyKeyRecord | undefined): Promise<boolean> {
    // Overwrites only what was read (same token), or nothing: two takers of one key cannot both win.
    const condition =
      existing === undefined
        ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : { ConditionExpression: '#doc.#token = :seen', ExpressionAttributeNames: { '#doc': 'doc', '#token': 'token' }, ExpressionAttributeValues: toItem({ ':seen': existing.token }) };
    try {
      await client.send(new PutItemCommand({ TableName: tableName, Item: keyItem(record), ...condition }));
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  return {
    async claim(claim) {
      for (;;) {
        const item = await getItem(idempotencyKeyKeys.key(claim.workspaceId, keyDigest(claim.key)));
        const existing = item && parse(item);
        if (existing !== undefined && !mayTake(existing, claim)) return heldBy(existing, claim);
        if (await put(runningRecord(claim), existing)) return { kind: 'claimed' };
      }
    },

    async keepAnswer(claim, answer) {
      const condition = { ConditionExpression: '#doc.#token = :token', ExpressionAttributeValues: toItem({ ':token': claim.token }) };
      try {
        await client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: toItem(idempotencyKeyKeys.key(claim.workspaceId, keyDigest(claim.key))),
            UpdateExpression: 'SET #doc.#state = :answered, #doc.#answer = :answer',
            ConditionExpression: condition.ConditionExpression,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: { ...condition.ExpressionAttributeValues, ...toItem({ ':answered': 'answered', ':answer': sealAnswer(claim, answer) }) },
          }),
        );
      } catch (error) {
        // Another request took the key over (this one outlived its lease): its answer stands.
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    },

    async release(claim) {
      try {
        await client.send(
          new DeleteItemCommand({
            TableName: tableName,
            Key: toItem(idempotencyKeyKeys.key(claim.workspaceId, keyDigest(claim.key))),
            ExpressionAttributeNames: { '#doc': 'doc', '#state': 'state', '#token': 'token' },
            ...keyIsHeld(claim, 'running'),
          }),
        );
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    },
  };
}
