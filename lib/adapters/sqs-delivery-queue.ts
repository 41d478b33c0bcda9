import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DeliveryQueue } from '../ports';
import { withoutSdkLogging } from './sdk-client';

/** SQS's longest message delay; longer waits are carried by the delivery's `not_before`. */
export const maxSqsDelaySeconds = 900;

/**
 * The webhook delivery queue and its dead-letter queue on SQS. The client loads on first use,
 * so functions that never queue a delivery never import it.
 */
export function sqsDeliveryQueue(queueUrl: string, deadLetterQueueUrl: string): DeliveryQueue {
  let sdk: Promise<{ module: typeof import('@aws-sdk/client-sqs'); client: SQSClient }> | undefined;
  const load = () => (sdk ??= import('@aws-sdk/client-sqs').then((module) => ({ module, client: withoutSdkLogging(new module.SQSClient({})) })));
  const sendTo = async (url: string, body: object, delaySeconds: number) => {
    const { module, client } = await load();
    await client.send(new module.SendMessageCommand({ QueueUrl: url, MessageBody: JSON.stringify(body), DelaySeconds: delaySeconds }));
  };
  return {
    send: (delivery, delaySeconds) => sendTo(queueUrl, delivery, Math.min(maxSqsDelaySeconds, Math.max(0, Math.ceil(delaySeconds)))),
    deadLetter: (delivery) => sendTo(deadLetterQueueUrl, delivery, 0),
  };
}
