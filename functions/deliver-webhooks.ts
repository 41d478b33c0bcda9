import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { eachMessage } from '../lib/adapters/sqs-batch';
import { appDeps, type CoreDeps } from '../lib/deps';
import { logger } from '../lib/logger';
import { observed } from '../lib/observability';
import { deliverWebhook } from '../lib/webhooks/deliver';
import { webhookDeliverySchema } from '../lib/webhooks/schemas';

/**
 * Takes webhook deliveries from the SQS queue, all of a batch at once, so one slow endpoint
 * holds none of the others. Only a delivery that could not be sent or re-queued (the queue or
 * the secret store failed), or a malformed message, is reported back: SQS hands it out again,
 * and a message still failing after its receives goes to the dead-letter queue.
 */
export const makeHandler = (deps: CoreDeps) =>
  middy<SQSEvent, SQSBatchResponse>()
    .use(observed())
    .handler(
      eachMessage(
        webhookDeliverySchema,
        (delivery) => deliverWebhook(deps, delivery),
        (record) => logger.error('webhook delivery could not be handled', { message_id: record.messageId }),
      ),
    );

export const handler = makeHandler(appDeps());
