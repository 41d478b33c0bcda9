import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { reconcileAccessCode } from '../lib/engine/reconcile';
import { followUpMessageSchema } from '../lib/adapters/sqs-follow-ups';
import { type AppDeps, appDeps } from '../lib/deps';
import { logger } from '../lib/logger';
import { observed } from '../lib/observability';

/**
 * Runs each code's next engine step when it falls due, from the follow-up queue's delayed
 * messages, instead of at the poller's next tick. A step that fails is handed out again by
 * SQS; a malformed message goes to the dead-letter queue after its receives.
 */
export const makeHandler = (deps: AppDeps) =>
  middy<SQSEvent, SQSBatchResponse>()
    .use(observed())
    .handler(async (event) => {
      const results = await Promise.allSettled(
        event.Records.map((record) => {
          const { workspace_id, access_code_id } = followUpMessageSchema.parse(JSON.parse(record.body));
          return reconcileAccessCode(deps, workspace_id, access_code_id);
        }),
      );
      const failed = event.Records.filter((_, i) => results[i]?.status === 'rejected');
      for (const record of failed) logger.error('follow-up step failed', { message_id: record.messageId });
      return { batchItemFailures: failed.map((record) => ({ itemIdentifier: record.messageId })) };
    });

export const handler = makeHandler(appDeps());
