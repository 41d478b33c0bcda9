import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { type AppDeps, appDeps } from '../lib/deps';
import { logger } from '../lib/logger';
import { observed } from '../lib/observability';
import { deliverWebhook } from '../lib/webhooks/deliver';
import { webhookDeliverySchema } from '../lib/webhooks/schemas';

/**
 * Takes webhook deliveries from the SQS queue, all of a batch at once, so one slow endpoint
 * holds none of the others. Only a delivery that could not be sent or re-queued (the queue or
 * the secret store failed) is reported back, and SQS hands it out again; a malformed message
 * goes to the dead-letter queue after its receives.
 */
export const makeHandler = (deps: AppDeps) =>
  middy<SQSEvent, SQSBatchResponse>()
    .use(observed())
    .handler(async (event) => {
      const results = await Promise.allSettled(event.Records.map((record) => deliverWebhook(deps, webhookDeliverySchema.parse(JSON.parse(record.body)))));
      const failed = event.Records.filter((_, i) => results[i]?.status === 'rejected');
      for (const record of failed) logger.error('webhook delivery could not be handled', { message_id: record.messageId });
      return { batchItemFailures: failed.map((record) => ({ itemIdentifier: record.messageId })) };
    });

export const handler = makeHandler(appDeps());
