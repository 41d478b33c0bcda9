import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { reconcileAccessCode } from '../lib/engine/reconcile';
import { checkLockAction } from '../lib/locks/lock-actions';
import { eachMessage } from '../lib/adapters/sqs-batch';
import { followUpMessageSchema } from '../lib/adapters/sqs-follow-ups';
import { type AppDeps, appDeps } from '../lib/deps';
import { engine } from '../lib/wiring/engine';
import { locks } from '../lib/wiring/locks';
import { logger } from '../lib/logger';
import { observed } from '../lib/observability';

/**
 * Runs each code's next engine step when it falls due (and checks each remote lock or unlock
 * when the lock should have reported it), from the follow-up queue's delayed
 * messages, instead of at the poller's next tick. A step that fails, or a malformed message,
 * is reported back alone: SQS hands it out again, then dead-letters it.
 */
export const makeHandler = (deps: AppDeps) =>
  middy<SQSEvent, SQSBatchResponse>()
    .use(observed())
    .handler(
      eachMessage(
        followUpMessageSchema,
        (message) => ('access_code_id' in message ? reconcileAccessCode(deps, message.workspace_id, message.access_code_id) : checkLockAction(deps, message.workspace_id, message.action_attempt_id)),
        (record) => logger.error('follow-up step failed', { message_id: record.messageId }),
      ),
    );

export const handler = makeHandler(appDeps(locks, engine));
