import { randomUUID } from 'node:crypto';
import type { Context, SQSRecord } from 'aws-lambda';
import { makeHandler as makeDeliverWebhooks } from '../../functions/deliver-webhooks';
import { makeHandler as makeRunFollowUps } from '../../functions/run-follow-ups';
import { makeHandler as makeHubEvents } from '../../functions/zwave-hub-events';
import { memoryApp } from '../support/memory-app';

const context = { functionName: 'test', awsRequestId: randomUUID(), getRemainingTimeInMillis: () => 30_000 } as unknown as Context;

const sqsRecord = (messageId: string, body: string): SQSRecord => ({
  messageId,
  receiptHandle: messageId,
  body,
  attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 'test', ApproximateFirstReceiveTimestamp: '0' },
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:eu-west-1:000000000000:queue',
  awsRegion: 'eu-west-1',
});

describe('deliver-webhooks', () => {
  test('a malformed message fails only itself: the rest of the batch is delivered', async () => {
    const { deps } = memoryApp();
    const delivery = {
      message_id: `msg_${randomUUID().replaceAll('-', '')}`,
      workspace_id: randomUUID(),
      // No such webhook: the delivery is dropped, which is handled.
      webhook_id: randomUUID(),
      event: { event_id: randomUUID(), event_type: 'access_code.created', workspace_id: randomUUID() },
      attempt: 1,
      first_attempt_at: '2026-11-23T12:00:00.000Z',
    };
    const records = [sqsRecord('good', JSON.stringify(delivery)), sqsRecord('not-json', '{"message_id":'), sqsRecord('wrong-shape', JSON.stringify({ ...delivery, attempt: 0 }))];
    const result = await makeDeliverWebhooks(deps)({ Records: records }, context);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'not-json' }, { itemIdentifier: 'wrong-shape' }]);
  });

  test('a batch of malformed messages reports each of them, without failing the invocation', async () => {
    const { deps } = memoryApp();
    const result = await makeDeliverWebhooks(deps)({ Records: [sqsRecord('a', 'nope'), sqsRecord('b', '{}')] }, context);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'a' }, { itemIdentifier: 'b' }]);
  });
});

describe('run-follow-ups', () => {
  test('a malformed message fails only itself: the others take their step', async () => {
    const { deps } = memoryApp();
    const good = JSON.stringify({ workspace_id: randomUUID(), access_code_id: randomUUID() });
    const records = [sqsRecord('good', good), sqsRecord('not-json', 'workspace'), sqsRecord('wrong-shape', JSON.stringify({ workspace_id: 'w' }))];
    const result = await makeRunFollowUps(deps)({ Records: records }, context);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'not-json' }, { itemIdentifier: 'wrong-shape' }]);
  });
});

describe('zwave-hub-events', () => {
  test('drops a message of no known shape', async () => {
    const { deps } = memoryApp();
    await expect(makeHubEvents(deps)({ kind: 'unknown' }, context)).resolves.toBeUndefined();
  });
});
