import { ConditionalCheckFailedException, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { CallPacing } from '../ports';
import { expiresAfter } from './dynamodb-keys';
import { toItem } from './dynamodb-doc';
import type { TableOperations } from './dynamodb-support';
import { pacingWindow } from './memory-call-pacing';

/**
 * Call counters on the table: one item per key and window, raised by a conditional update, so
 * that processes taking calls at once never pass the limit together. Gone a day after the window.
 */
export function dynamoDbCallPacing(table: TableOperations): CallPacing {
  return {
    async take(key, limit, now) {
      const window = pacingWindow(limit, now);
      try {
        await table.client.send(
          new UpdateItemCommand({
            TableName: table.tableName,
            Key: toItem({ pk: `PACE#${key}`, sk: `W#${window.start}` }),
            UpdateExpression: 'ADD #n :one SET expires_at = :expires',
            ConditionExpression: 'attribute_not_exists(#n) OR #n < :limit',
            ExpressionAttributeNames: { '#n': 'calls' },
            ExpressionAttributeValues: toItem({ ':one': 1, ':limit': limit.calls, ':expires': expiresAfter(window.next, 1) }),
          }),
        );
        return { granted: true };
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return { granted: false, retryAt: window.next };
        throw error;
      }
    },
  };
}
