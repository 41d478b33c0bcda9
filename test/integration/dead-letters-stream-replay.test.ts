import { DescribeTableCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-dynamodb-streams';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { toItem } from '../../lib/adapters/dynamodb-doc';
import { eventKeys } from '../../lib/adapters/dynamodb-keys';
import { replayDeadLetters, sdkStreamRecords, sqsReplayQueues } from '../../lib/cli/dead-letters';
import type { SeamEvent } from '../../lib/events/schemas';
import type { EventPublisher } from '../../lib/ports';
import { type AwsTwin, startAwsTwin } from '../support/deployed/aws-twin';
import { type TestTable, startTestTable } from '../support/dynamodb-local';

/*
 * A stream batch the relay gave up on, put back: the failure record Lambda writes names a run
 * of the table's stream; the replay reads that run again from DynamoDB Local's stream and
 * publishes its events through the relay's own code, onto the bus (the EventBridge twin).
 */

let table: TestTable;
let twin: AwsTwin;
let streams: DynamoDBStreamsClient;
const published: { DetailType: string; Detail: string }[] = [];
const workspace = '00000000-0000-4000-8000-000000000001';
const eventOf = (n: number): SeamEvent => ({
  event_id: `00000000-0000-4000-8000-00000000001${n}`,
  workspace_id: workspace,
  access_code_id: '00000000-0000-4000-8000-000000000002',
  device_id: '00000000-0000-4000-8000-000000000005',
  connected_account_id: '00000000-0000-4000-8000-000000000006',
  event_type: 'access_code.set_on_device',
  occurred_at: `2026-12-01T12:00:0${n}.000Z`,
  created_at: `2026-12-01T12:00:0${n}.000Z`,
});

beforeAll(async () => {
  table = await startTestTable();
  twin = await startAwsTwin(table.endpoint, { onMessage: () => {}, onEvents: (entries) => published.push(...entries) });
  streams = new DynamoDBStreamsClient({ endpoint: table.endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
});
afterAll(async () => {
  streams.destroy();
  await twin.stop();
  await table.stop();
});

const credentials = { accessKeyId: 'operator', secretAccessKey: 'x' };
const sqsClient = () => new SQSClient({ endpoint: twin.endpoint, region: 'eu-west-1', credentials });

/** The bus as the twin answers it, through PutEvents. */
function twinBus(): EventPublisher {
  const events = new EventBridgeClient({ endpoint: twin.endpoint, region: 'eu-west-1', credentials });
  return {
    async publish(batch) {
      await events.send(new PutEventsCommand({ Entries: batch.map((e) => ({ EventBusName: 'latchkey-prod', Source: 'latchkey', DetailType: e.event_type, Detail: JSON.stringify(e) })) }));
    },
  };
}

test("a stream batch the relay gave up on is read again by its position and its events published, other records skipped; the batch's end is respected", async () => {
  const put = (item: Record<string, unknown>) => table.client.send(new PutItemCommand({ TableName: table.tableName, Item: toItem(item) }));
  for (const n of [1, 2, 3]) {
    const e = eventOf(n);
    await put({ ...eventKeys.key(workspace, e.event_id), ...eventKeys.index(e), doc: e });
    // A write that is not an event (as codes and attempts are) lies between them in the stream.
    await put({ pk: `WS#${workspace}`, sk: `OTHER#${n}`, doc: { n } });
  }
  const streamArn = (await table.client.send(new DescribeTableCommand({ TableName: table.tableName }))).Table?.LatestStreamArn ?? '';
  const shardId = (await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }))).StreamDescription?.Shards?.[0]?.ShardId ?? '';
  const { ShardIterator } = await streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }));
  const sequence = ((await streams.send(new GetRecordsCommand({ ShardIterator }))).Records ?? []).map((r) => r.dynamodb?.SequenceNumber ?? '');
  expect(sequence).toHaveLength(6);
  // The batch the relay gave up: events 1 and 2 with what lies between (not event 3).
  const failure = {
    requestContext: { requestId: 'r', functionArn: 'arn:aws:lambda:eu-west-1:0:function:publish-events', condition: 'RecordAgeExceeded', approximateInvokeCount: 3 },
    DDBStreamBatchInfo: { shardId, startSequenceNumber: sequence[0], endSequenceNumber: sequence[3], batchSize: 4, streamArn },
  };
  const park = () => twin.parked.set('PublisherFailures', [{ messageId: 'p1', body: JSON.stringify(failure), receiveCount: 1 }]);
  park();
  const sqs = await sqsReplayQueues(sqsClient());
  const queueUrl = `${twin.endpoint}/000000000000/PublisherFailures`;
  const streamRecords = await sdkStreamRecords(streams);

  expect((await replayDeadLetters(sqs, queueUrl, { streamRecords }, { dryRun: false, limit: 10 })).messages).toEqual([
    { message_id: 'p1', kind: 'stream_batch', action: `kept: 4 stream records of shard ${shardId}, ${sequence[0]} to ${sequence[3]} (LATCHKEY_EVENT_BUS_NAME is not set)` },
  ]);
  const dry = await replayDeadLetters(sqs, queueUrl, { streamRecords, publisher: twinBus() }, { dryRun: true, limit: 10 });
  expect(dry).toMatchObject({ replayed: 0, kept: 1 });
  expect(published).toEqual([]);

  const report = await replayDeadLetters(sqs, queueUrl, { streamRecords, publisher: twinBus() }, { dryRun: false, limit: 10 });
  expect(report).toEqual({
    dry_run: false,
    replayed: 1,
    dropped: 0,
    kept: 0,
    messages: [
      { message_id: 'p1', kind: 'stream_batch', action: `the events of 4 stream records of shard ${shardId}, ${sequence[0]} to ${sequence[3]} back on the bus, as the relay publishes them: done` },
    ],
  });
  expect(published.map((e) => JSON.parse(e.Detail))).toEqual([eventOf(1), eventOf(2)]);
  expect(twin.parked.get('PublisherFailures')).toEqual([]);
});

test('a batch whose events cannot be published stays on the queue, saying why', async () => {
  const streamArn = (await table.client.send(new DescribeTableCommand({ TableName: table.tableName }))).Table?.LatestStreamArn ?? '';
  const shardId = (await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }))).StreamDescription?.Shards?.[0]?.ShardId ?? '';
  const { ShardIterator } = await streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }));
  const [first = ''] = ((await streams.send(new GetRecordsCommand({ ShardIterator }))).Records ?? []).map((r) => r.dynamodb?.SequenceNumber ?? '');
  const failure = { DDBStreamBatchInfo: { shardId, startSequenceNumber: first, endSequenceNumber: first, batchSize: 1, streamArn } };
  twin.parked.set('PublisherFailures', [{ messageId: 'p2', body: JSON.stringify(failure), receiveCount: 1 }]);
  const refusing: EventPublisher = {
    publish: async () => {
      throw new Error('EventBridge rejected 1 of 1 events');
    },
  };
  const sqs = await sqsReplayQueues(sqsClient());
  const report = await replayDeadLetters(sqs, `${twin.endpoint}/000000000000/PublisherFailures`, { streamRecords: await sdkStreamRecords(streams), publisher: refusing }, { dryRun: false, limit: 10 });
  expect(report).toMatchObject({ replayed: 0, kept: 1 });
  expect(report.messages[0]?.action).toMatch(/^kept: the events of 1 stream records .* failed: Error: publishing the event of stream record \d+ failed$/);
  expect(twin.parked.get('PublisherFailures')?.map((m) => m.messageId)).toEqual(['p2']);
});

test('a run that ends past what the shard holds is read to the shard’s end', async () => {
  const { streamRecordsOf } = await import('../../lib/adapters/dynamodb-stream-range');
  const streamArn = (await table.client.send(new DescribeTableCommand({ TableName: table.tableName }))).Table?.LatestStreamArn ?? '';
  const shardId = (await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }))).StreamDescription?.Shards?.[0]?.ShardId ?? '';
  const { ShardIterator } = await streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }));
  const all = ((await streams.send(new GetRecordsCommand({ ShardIterator }))).Records ?? []).map((r) => r.dynamodb?.SequenceNumber);
  const last = all.at(-1) ?? '0';
  const records = await streamRecordsOf(streams, { streamArn, shardId, startSequenceNumber: all[0] ?? '', endSequenceNumber: String(BigInt(last) * 10n) });
  expect(records.map((r) => r.dynamodb?.SequenceNumber)).toEqual(all);
});
