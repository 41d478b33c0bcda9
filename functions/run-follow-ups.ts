import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { reconcileAccessCode } from '../lib/engine/reconcile';
import { eachMessage } from '../lib/adapters/sqs-batch';
import { followUpMessageSchema } from '../lib/adapters/sqs-follow-ups';
import { type AppDeps, appDeps } from '../lib/deps';
import { logger } from '../lib/logger';
import { observed } from '../lib/observability';

/**
 * Runs each code's next engine step when it falls due, from the follow-up queue's delayed
 * messages, instead of at the poller's next tick. A step that fails, or a malformed message,
 * is reported back alone: SQS hands it out again, then dead-letters it.
 */
export const makeHandler = (deps: AppDeps) =>
  middy<SQSEvent, SQSBatchResponse>()
    .use(observed())
    .handler(
      eachMessage(
        followUpMessageSchema,
        ({ workspace_id, access_code_id }) => reconcileAccessCode(deps, workspace_id, access_code_id),
        (record) => logger.error('follow-up step failed', { message_id: record.messageId }),
      ),
    );

export const handler = makeHandler(appDeps());
