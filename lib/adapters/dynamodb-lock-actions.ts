import type { LockActionRepository } from '../ports';
import { type CodeHistoryOptions, actionAttemptItem, extraWrites } from './dynamodb-access-codes';
import { toItem } from './dynamodb-doc';
import { deviceKeys } from './dynamodb-keys';
import type { TableOperations } from './dynamodb-support';

/** The attempt is still pending: of two reports of one action, only the first ends it. */
const stillPending = {
  ConditionExpression: '#doc.#attempt.#status = :pending',
  ExpressionAttributeNames: { '#doc': 'doc', '#attempt': 'action_attempt', '#status': 'status' },
  ExpressionAttributeValues: toItem({ ':pending': 'pending' }),
};

/** Remote lock and unlock on the table: each start and each end is one transaction. */
export function dynamoDbLockActions(table: TableOperations, options: CodeHistoryOptions): LockActionRepository {
  return {
    async start(attempt) {
      await table.transact([{ role: 'item', write: table.put(actionAttemptItem(attempt), { ConditionExpression: 'attribute_not_exists(pk)' }) }], { action_attempts: [attempt.action_attempt] });
    },
    async finish(attempt, events, device) {
      await table.transact([
        { role: 'item', write: table.put(actionAttemptItem(attempt), stillPending) },
        ...(device
          ? [
              {
                role: 'item' as const,
                write: table.put(toItem({ ...deviceKeys.key(device.device.workspace_id, device.device.device_id), doc: device }), { ConditionExpression: 'attribute_exists(pk)' }),
              },
            ]
          : []),
        ...extraWrites(table, { events: [...events] }, options),
      ]);
    },
  };
}
