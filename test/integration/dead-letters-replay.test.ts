import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { SQSClient } from '@aws-sdk/client-sqs';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { kindOf, lambdaInvoke, queueUrlOf, replayDeadLetters, sqsReplayQueues } from '../../lib/cli/dead-letters';
import { messageIdOf } from '../../lib/webhooks/deliver';
import { type AwsTwin, type QueuedMessage, startAwsTwin } from '../support/deployed/aws-twin';

/*
 * The replay against an SQS-shaped twin (SQS has no local server): the twin speaks SQS's JSON
 * protocol to the real SDK client, holds the dead letters and takes what is sent back.
 */

const run = promisify(execFile);
let twin: AwsTwin;
const sent: { queue: string; body: string }[] = [];
const published: { DetailType: string; Detail: string }[] = [];
const invoked: { functionName: string; payload: string }[] = [];
const ids = { workspace: '00000000-0000-4000-8000-000000000001', code: '00000000-0000-4000-8000-000000000002', webhook: '00000000-0000-4000-8000-000000000003' };
const followUp = JSON.stringify({ workspace_id: ids.workspace, access_code_id: ids.code });
const delivery = {
  message_id: messageIdOf(ids.webhook, '00000000-0000-4000-8000-000000000004'),
  workspace_id: ids.workspace,
  webhook_id: ids.webhook,
  event: {
    event_id: '00000000-0000-4000-8000-000000000004',
    workspace_id: ids.workspace,
    access_code_id: ids.code,
    device_id: '00000000-0000-4000-8000-000000000005',
    connected_account_id: '00000000-0000-4000-8000-000000000006',
    event_type: 'access_code.set_on_device',
    occurred_at: '2026-12-01T12:00:00.000Z',
    created_at: '2026-12-01T12:00:00.000Z',
  },
  attempt: 8,
  first_attempt_at: '2026-12-01T12:00:00.000Z',
  not_before: '2026-12-02T05:00:00.000Z',
};
const streamBatch = JSON.stringify({
  requestContext: { requestId: 'r', functionArn: 'arn:aws:lambda:eu-west-1:0:function:publish-events', condition: 'RecordAgeExceeded', approximateInvokeCount: 3 },
  DDBStreamBatchInfo: { shardId: 'shardId-0001', startSequenceNumber: '100', endSequenceNumber: '199', batchSize: 100, streamArn: 'arn:aws:dynamodb:eu-west-1:0:table/t/stream/s' },
});

beforeAll(async () => {
  twin = await startAwsTwin('http://127.0.0.1:9', {
    onMessage: (queue, message) => sent.push({ queue, body: message.body }),
    onEvents: (entries) => published.push(...entries),
    onInvoke: (functionName, payload) => invoked.push({ functionName, payload }),
  });
});
afterAll(() => twin.stop());
beforeEach(() => {
  sent.length = 0;
  published.length = 0;
  invoked.length = 0;
  const message = (body: string, n: number): QueuedMessage => ({ messageId: `m${n}`, body, receiveCount: 5 });
  twin.parked.set('FollowUpDeadLetters', [message(followUp, 1)]);
  twin.parked.set('latchkey-prod-stateless-FollowUpDeadLetters99660499-AbC123', [message(followUp, 5)]);
  twin.parked.set('WebhookDeadLetters', [message(JSON.stringify(delivery), 2), message('not json', 3), message(streamBatch, 4)]);
});

const queueUrl = (name: string) => `${twin.endpoint}/000000000000/${name}`;
const client = () => new SQSClient({ endpoint: twin.endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'operator', secretAccessKey: 'x' } });
const targets = () => ({ followUpQueueUrl: queueUrl('FollowUps'), webhookQueueUrl: queueUrl('WebhookDeliveries') });

test('a dead-letter message is known by its body', () => {
  expect([followUp, JSON.stringify(delivery), streamBatch, '{}', 'x'].map(kindOf)).toEqual(['follow_up', 'webhook_delivery', 'stream_batch', 'unknown', 'unknown']);
});

test('a dry run lists what it would do, sends nothing and leaves every message on the queue', async () => {
  const report = await replayDeadLetters(await sqsReplayQueues(client()), queueUrl('WebhookDeadLetters'), targets(), { dryRun: true, limit: 100 });
  expect(report).toEqual({
    dry_run: true,
    replayed: 0,
    dropped: 0,
    kept: 3,
    messages: [
      { message_id: 'm2', kind: 'webhook_delivery', action: 'back on the delivery queue as a first attempt' },
      { message_id: 'm3', kind: 'unknown', action: 'kept: not a message Latchkey replays' },
      {
        message_id: 'm4',
        kind: 'stream_batch',
        action: 'kept: 100 stream records of shard shardId-0001, 100 to 199 (LATCHKEY_EVENT_BUS_NAME is not set)',
      },
    ],
  });
  expect(sent).toEqual([]);
  expect(twin.parked.get('WebhookDeadLetters')?.map((m) => m.messageId)).toEqual(['m2', 'm3', 'm4']);
  // Released: the next reader sees them all again.
  expect((await replayDeadLetters(await sqsReplayQueues(client()), queueUrl('WebhookDeadLetters'), targets(), { dryRun: true, limit: 100 })).kept).toBe(3);
});

test('a replay puts a given-up delivery back as a fresh first attempt, keeps what it cannot replay, and stops at the limit', async () => {
  const report = await replayDeadLetters(await sqsReplayQueues(client()), queueUrl('WebhookDeadLetters'), targets(), { dryRun: false, limit: 2 });
  expect(report).toMatchObject({ dry_run: false, replayed: 1, kept: 1 });
  const { not_before: _, ...fresh } = delivery;
  expect(sent.map((m) => ({ queue: m.queue, body: JSON.parse(m.body) }))).toEqual([{ queue: 'WebhookDeliveries', body: { ...fresh, attempt: 1 } }]);
  expect(twin.parked.get('WebhookDeadLetters')?.map((m) => m.messageId)).toEqual(['m3', 'm4']);
});

test('a queue is named by its URL, or by its name in the stack with the stage', async () => {
  const sqs = await sqsReplayQueues(client());
  expect(await queueUrlOf(sqs, queueUrl('WebhookDeadLetters'), undefined)).toBe(queueUrl('WebhookDeadLetters'));
  expect(await queueUrlOf(sqs, 'FollowUpDeadLetters', 'prod')).toBe(queueUrl('latchkey-prod-stateless-FollowUpDeadLetters99660499-AbC123'));
  await expect(queueUrlOf(sqs, 'FollowUpDeadLetters', undefined)).rejects.toThrow('set LATCHKEY_STAGE');
  await expect(queueUrlOf(sqs, 'FollowUpDeadLetters', 'dev')).rejects.toThrow('0 queues of stage dev are named FollowUpDeadLetters');
});

test('an event a bus target gave up on goes back on the bus through EventBridge, once', async () => {
  const envelope = {
    version: '0',
    id: 'e1',
    'detail-type': delivery.event.event_type,
    source: 'latchkey',
    account: '0',
    time: delivery.event.occurred_at,
    region: 'eu-west-1',
    resources: [],
    detail: delivery.event,
  };
  twin.parked.set('WorkerDeadLetters', [{ messageId: 'm6', body: JSON.stringify(envelope), receiveCount: 1 }]);
  const { EventBridgeClient } = await import('@aws-sdk/client-eventbridge');
  const events = new EventBridgeClient({ endpoint: twin.endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'operator', secretAccessKey: 'x' } });
  const { PutEventsCommand } = await import('@aws-sdk/client-eventbridge');
  const publish = async (event: { event_type: string }) => {
    await events.send(new PutEventsCommand({ Entries: [{ EventBusName: 'latchkey-prod', Source: 'latchkey', DetailType: event.event_type, Detail: JSON.stringify(event) }] }));
  };
  expect(await replayDeadLetters(await sqsReplayQueues(client()), queueUrl('WorkerDeadLetters'), {}, { dryRun: false, limit: 10 })).toMatchObject({
    replayed: 0,
    kept: 1,
    messages: [{ kind: 'bus_event', action: 'kept: LATCHKEY_EVENT_BUS_NAME is not set' }],
  });
  const report = await replayDeadLetters(
    await sqsReplayQueues(client()),
    queueUrl('WorkerDeadLetters'),
    { publisher: { publish: async (events) => void (await Promise.all(events.map(publish))) } },
    { dryRun: false, limit: 10 },
  );
  expect(report.messages).toEqual([{ message_id: 'm6', kind: 'bus_event', action: `access_code.set_on_device ${delivery.event.event_id} back on the bus: done` }]);
  expect(published.map((e) => [e.DetailType, JSON.parse(e.Detail)])).toEqual([['access_code.set_on_device', delivery.event]]);
  expect(twin.parked.get('WorkerDeadLetters')).toEqual([]);
  events.destroy();
});

test('a follow-up is kept when the follow-up queue is not named', async () => {
  const report = await replayDeadLetters(await sqsReplayQueues(client()), queueUrl('FollowUpDeadLetters'), {}, { dryRun: false, limit: 10 });
  expect(report.messages).toEqual([{ message_id: 'm1', kind: 'follow_up', action: 'kept: LATCHKEY_FOLLOW_UP_QUEUE_URL is not set' }]);
  expect(sent).toEqual([]);
});

test('npm run latchkey -- dead-letters replay puts failed follow-ups back on the follow-up queue', async () => {
  const env = {
    ...process.env,
    AWS_ENDPOINT_URL: twin.endpoint,
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'operator',
    AWS_SECRET_ACCESS_KEY: 'x',
    LATCHKEY_FOLLOW_UP_QUEUE_URL: queueUrl('FollowUps'),
    LATCHKEY_STAGE: 'prod',
  };
  const { stdout } = await run('node', ['--conditions=import', '--import', 'tsx', 'lib/cli/main.ts', 'dead-letters', 'replay', '--queue', 'FollowUpDeadLetters'], { env });
  expect(JSON.parse(stdout)).toEqual({ dry_run: false, replayed: 1, dropped: 0, kept: 0, messages: [{ message_id: 'm5', kind: 'follow_up', action: 'back on the follow-up queue: done' }] });
  expect(sent).toEqual([{ queue: 'FollowUps', body: followUp }]);
  expect(twin.parked.get('latchkey-prod-stateless-FollowUpDeadLetters99660499-AbC123')).toEqual([]);
});

const hubMessage = JSON.stringify({ kind: 'presence', clientId: 'latchkey-prod-hub-00000000-0000-4000-8000-000000000006', eventType: 'connected', timestamp: 1764590400000 });
const syncTick = JSON.stringify({
  version: '0',
  id: 'e2',
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '0',
  time: '2026-12-01T03:00:00Z',
  region: 'eu-west-1',
  resources: [],
  detail: {},
});
const pollTick = JSON.stringify({ shards: [0, 4, 8, 12] });

test('hub messages, account-sync ticks and poll ticks are known by their bodies', () => {
  expect([hubMessage, syncTick, pollTick].map(kindOf)).toEqual(['hub_message', 'account_sync', 'poll_tick']);
});

test("a hub's message and an account-sync tick invoke their function as their trigger does; a poll tick is dropped, the next tick being its retry", async () => {
  const lambda = new LambdaClient({ endpoint: twin.endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'operator', secretAccessKey: 'x' } });
  const message = (body: string, n: number): QueuedMessage => ({ messageId: `a${n}`, body, receiveCount: 1 });
  const parkAll = () => twin.parked.set('AsyncDeadLetters', [message(hubMessage, 1), message(syncTick, 2), message(pollTick, 3)]);
  parkAll();
  const sqs = await sqsReplayQueues(client());
  const unnamed = await replayDeadLetters(sqs, queueUrl('AsyncDeadLetters'), { invoke: await lambdaInvoke(lambda) }, { dryRun: true, limit: 10 });
  expect(unnamed.messages.map((m) => m.action)).toEqual([
    'kept: LATCHKEY_HUB_EVENTS_FUNCTION is not set',
    'kept: LATCHKEY_ACCOUNT_SYNC_FUNCTION is not set',
    'dropped: a poll is not replayed, the next tick sweeps the same shards (failed codes stay due)',
  ]);
  const functions = { hubEventsFunction: 'latchkey-prod-hub-events', accountSyncFunction: 'latchkey-prod-account-sync', invoke: await lambdaInvoke(lambda) };
  const dry = await replayDeadLetters(sqs, queueUrl('AsyncDeadLetters'), functions, { dryRun: true, limit: 10 });
  expect(dry).toMatchObject({ replayed: 0, dropped: 0, kept: 3 });
  expect(invoked).toEqual([]);
  const report = await replayDeadLetters(sqs, queueUrl('AsyncDeadLetters'), functions, { dryRun: false, limit: 10 });
  expect(report).toEqual({
    dry_run: false,
    replayed: 2,
    dropped: 1,
    kept: 0,
    messages: [
      { message_id: 'a1', kind: 'hub_message', action: "a hub's presence message: invoked latchkey-prod-hub-events with it, as its trigger does: done" },
      { message_id: 'a2', kind: 'account_sync', action: 'the account sync: invoked latchkey-prod-account-sync with it, as its trigger does: done' },
      { message_id: 'a3', kind: 'poll_tick', action: 'dropped: a poll is not replayed, the next tick sweeps the same shards (failed codes stay due): done' },
    ],
  });
  expect(invoked.map((i) => ({ functionName: i.functionName, payload: JSON.parse(i.payload) }))).toEqual([
    { functionName: 'latchkey-prod-hub-events', payload: JSON.parse(hubMessage) },
    { functionName: 'latchkey-prod-account-sync', payload: JSON.parse(syncTick) },
  ]);
  expect(twin.parked.get('AsyncDeadLetters')).toEqual([]);
  lambda.destroy();
});
