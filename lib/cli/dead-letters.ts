import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import { followUpMessageSchema } from '../adapters/sqs-follow-ups';
import { eventSource } from '../adapters/eventbridge-publisher';
import { eventSchema } from '../events/schemas';
import type { EventPublisher } from '../ports';
import { publishStreamRecords } from '../adapters/dynamodb-event-stream';
import { type StreamRange, streamRecordsOf } from '../adapters/dynamodb-stream-range';
import type { DynamoDBStreamsClient, _Record } from '@aws-sdk/client-dynamodb-streams';
import { hubMessageSchema } from '../providers/zwave';
import { webhookDeliverySchema } from '../webhooks/schemas';

/** One message taken from a dead-letter queue, hidden from other readers until deleted or released. */
export interface DeadLetter {
  messageId: string;
  body: string;
  receiptHandle: string;
}

/** What the replay needs of SQS: the dead-letter queue to read, and the queues its messages go back to. */
export interface ReplayQueues {
  receive(queueUrl: string, max: number): Promise<DeadLetter[]>;
  /** Deletes a message that was replayed. */
  remove(queueUrl: string, receiptHandle: string): Promise<void>;
  /** Makes a message that was only looked at visible again at once. */
  release(queueUrl: string, receiptHandle: string): Promise<void>;
  send(queueUrl: string, body: string): Promise<void>;
  /** The URLs of the queues whose names start with `prefix`. */
  urlsOf(prefix: string): Promise<string[]>;
}

/**
 * A queue named as the operator has it: its URL, or its name in the stack (`WorkerDeadLetters`,
 * as the alarms and the runbook name it), which CloudFormation made `latchkey-<stage>-stateless-<name><suffix>`.
 */
export async function queueUrlOf(sqs: ReplayQueues, queue: string, stage: string | undefined): Promise<string> {
  if (/^https?:\/\//.test(queue)) return queue;
  if (stage === undefined) throw new Error(`--queue ${queue} is a name: set LATCHKEY_STAGE to the stage, or give the queue's URL`);
  const found = await sqs.urlsOf(`latchkey-${stage}-stateless-${queue}`);
  const [url] = found;
  if (url === undefined || found.length > 1) throw new Error(`${found.length} queues of stage ${stage} are named ${queue}: give the queue's URL`);
  return url;
}

/** Where replayed messages go: the stack's follow-up and webhook delivery queues (the functions' own variables). */
export interface ReplayTargets {
  followUpQueueUrl?: string;
  webhookQueueUrl?: string;
  /** Puts events back on the stage's bus (LATCHKEY_EVENT_BUS_NAME): every rule sees them again. */
  publisher?: EventPublisher;
  /** Reads a run of the table's stream again (the stream keeps 24 hours). */
  streamRecords?: (range: StreamRange) => Promise<readonly unknown[]>;
  /** The stack's HubEventsFunctionName and AccountSyncFunctionName outputs. */
  hubEventsFunction?: string;
  accountSyncFunction?: string;
  /** Invokes a function asynchronously with `payload` as its event, as an IoT rule or a schedule does. */
  invoke?: (functionName: string, payload: string) => Promise<void>;
}

export type DeadLetterKind = 'follow_up' | 'webhook_delivery' | 'stream_batch' | 'bus_event' | 'hub_message' | 'account_sync' | 'poll_tick' | 'unknown';

/** An event a bus rule's target (the worker, the webhook fan-out) gave up on, as EventBridge or Lambda dead-letters it. */
const busEventSchema = z.object({ source: z.literal(eventSource), detail: eventSchema }).loose();

/** A tick of the daily account-sync schedule (its target has no input: EventBridge's scheduled event). */
const scheduledEventSchema = z.object({ source: z.literal('aws.events'), 'detail-type': z.literal('Scheduled Event') }).loose();
/** A tick of the poll schedule: each target's input names its shards. */
const pollTickSchema = z.strictObject({ shards: z.array(z.number().int()) });

/** A batch of the table's stream that the relay gave up on, as Lambda's on-failure destination records it. */
const streamBatchSchema = z.object({
  DDBStreamBatchInfo: z.object({ shardId: z.string(), startSequenceNumber: z.string(), endSequenceNumber: z.string(), batchSize: z.number(), streamArn: z.string() }).loose(),
});

/** What a dead-letter message is, from its body. */
export function kindOf(body: string): DeadLetterKind {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return 'unknown';
  }
  if (webhookDeliverySchema.safeParse(parsed).success) return 'webhook_delivery';
  if (followUpMessageSchema.safeParse(parsed).success) return 'follow_up';
  if (streamBatchSchema.safeParse(parsed).success) return 'stream_batch';
  if (busEventSchema.safeParse(parsed).success) return 'bus_event';
  if (hubMessageSchema.safeParse(parsed).success) return 'hub_message';
  if (pollTickSchema.safeParse(parsed).success) return 'poll_tick';
  if (scheduledEventSchema.safeParse(parsed).success) return 'account_sync';
  return 'unknown';
}

export interface ReplayedMessage {
  message_id: string;
  kind: DeadLetterKind;
  /** What was (or, in a dry run, would be) done; never the message body. */
  action: string;
}

/**
 * Replays what a dead-letter queue holds, message by message: a follow-up goes back on the
 * follow-up queue; a webhook delivery goes back on the delivery queue as a fresh first
 * attempt (same svix-id, the whole retry schedule again); the events of a stream batch the
 * relay gave up are read again from the stream by its position (kept 24 hours) and published
 * through the relay's own code; an event a bus rule's target gave up on goes back on the bus
 * (every consumer of an event is idempotent on its id); a hub's message and an account-sync
 * tick invoke their function asynchronously with the same event, as the IoT rule and the
 * schedule do; a poll tick is deleted (the next tick is its retry). A message that is not
 * replayed stays where it is. A dry run only reads, and leaves every message visible again.
 */
export async function replayDeadLetters(
  sqs: ReplayQueues,
  queueUrl: string,
  targets: ReplayTargets,
  options: { dryRun: boolean; limit: number },
): Promise<{ dry_run: boolean; replayed: number; dropped: number; kept: number; messages: ReplayedMessage[] }> {
  const messages: ReplayedMessage[] = [];
  const seen = new Set<string>();
  let replayed = 0;
  let dropped = 0;
  const kept: DeadLetter[] = [];
  while (messages.length < options.limit) {
    const batch = (await sqs.receive(queueUrl, Math.min(10, options.limit - messages.length))).filter((m) => !seen.has(m.messageId));
    if (batch.length === 0) break;
    for (const message of batch) {
      seen.add(message.messageId);
      const kind = kindOf(message.body);
      const target = destinationOf(kind, message.body, targets);
      const replay = target.replay;
      if (options.dryRun || !replay) {
        messages.push({ message_id: message.messageId, kind, action: target.describe });
        kept.push(message);
        continue;
      }
      try {
        if (replay !== 'drop') await replay(sqs);
      } catch (error) {
        // Kept for the next run: the error's name and message say why (AWS errors carry no secrets).
        messages.push({ message_id: message.messageId, kind, action: `kept: ${target.describe} failed: ${error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error'}` });
        kept.push(message);
        continue;
      }
      messages.push({ message_id: message.messageId, kind, action: `${target.describe}: done` });
      await sqs.remove(queueUrl, message.receiptHandle);
      if (replay === 'drop') dropped++;
      else replayed++;
    }
  }
  // Released at the end, so that one run does not read the same message twice.
  for (const message of kept) await sqs.release(queueUrl, message.receiptHandle);
  return { dry_run: options.dryRun, replayed, dropped, kept: kept.length, messages };
}

/** What to do with one message: `replay` sends it back, `'drop'` deletes it (nothing to redo), none keeps it. */
interface Destination {
  describe: string;
  replay?: ((sqs: ReplayQueues) => Promise<void>) | 'drop';
}

function invoked(targets: ReplayTargets, functionName: string | undefined, variable: string, body: string, what: string): Destination {
  const invoke = targets.invoke;
  if (functionName === undefined || invoke === undefined) return { describe: `kept: ${variable} is not set` };
  return { describe: `${what}: invoked ${functionName} with it, as its trigger does`, replay: () => invoke(functionName, body) };
}

function destinationOf(kind: DeadLetterKind, body: string, targets: ReplayTargets): Destination {
  switch (kind) {
    case 'follow_up': {
      const url = targets.followUpQueueUrl;
      if (url === undefined) return { describe: 'kept: LATCHKEY_FOLLOW_UP_QUEUE_URL is not set' };
      return { describe: 'back on the follow-up queue', replay: (sqs) => sqs.send(url, body) };
    }
    case 'webhook_delivery': {
      const url = targets.webhookQueueUrl;
      if (url === undefined) return { describe: 'kept: LATCHKEY_WEBHOOK_QUEUE_URL is not set' };
      const { not_before: _, ...delivery } = webhookDeliverySchema.parse(JSON.parse(body));
      return { describe: 'back on the delivery queue as a first attempt', replay: (sqs) => sqs.send(url, JSON.stringify({ ...delivery, attempt: 1 })) };
    }
    case 'stream_batch': {
      const info = streamBatchSchema.parse(JSON.parse(body)).DDBStreamBatchInfo;
      const batch = `${info.batchSize} stream records of shard ${info.shardId}, ${info.startSequenceNumber} to ${info.endSequenceNumber}`;
      const { publisher, streamRecords } = targets;
      if (publisher === undefined || streamRecords === undefined) return { describe: `kept: ${batch} (LATCHKEY_EVENT_BUS_NAME is not set)` };
      return {
        describe: `the events of ${batch} back on the bus, as the relay publishes them`,
        replay: async () => {
          const records = await streamRecords(info);
          const { failedSequenceNumber } = await publishStreamRecords(publisher, records);
          if (failedSequenceNumber !== undefined) throw new Error(`publishing the event of stream record ${failedSequenceNumber} failed`);
        },
      };
    }
    case 'bus_event': {
      const publisher = targets.publisher;
      if (publisher === undefined) return { describe: 'kept: LATCHKEY_EVENT_BUS_NAME is not set' };
      const event = busEventSchema.parse(JSON.parse(body)).detail;
      return { describe: `${event.event_type} ${event.event_id} back on the bus`, replay: () => publisher.publish([event]) };
    }
    case 'hub_message':
      return invoked(targets, targets.hubEventsFunction, 'LATCHKEY_HUB_EVENTS_FUNCTION', body, `a hub's ${hubMessageSchema.parse(JSON.parse(body)).kind} message`);
    case 'account_sync':
      return invoked(targets, targets.accountSyncFunction, 'LATCHKEY_ACCOUNT_SYNC_FUNCTION', body, 'the account sync');
    case 'poll_tick':
      return { describe: 'dropped: a poll is not replayed, the next tick sweeps the same shards (failed codes stay due)', replay: 'drop' };
    case 'unknown':
      return { describe: 'kept: not a message Latchkey replays' };
  }
}

/** Invokes a function asynchronously (InvocationType Event) with the AWS SDK, as an IoT rule or a schedule does. */
export async function lambdaInvoke(client?: LambdaClient): Promise<(functionName: string, payload: string) => Promise<void>> {
  const lambda = await import('@aws-sdk/client-lambda');
  const c = client ?? new lambda.LambdaClient({});
  return async (functionName, payload) => {
    await c.send(new lambda.InvokeCommand({ FunctionName: functionName, InvocationType: 'Event', Payload: new TextEncoder().encode(payload) }));
  };
}

/** Reads a run of the table's stream with the AWS SDK (credentials and region from the environment). */
export async function sdkStreamRecords(client?: DynamoDBStreamsClient): Promise<(range: StreamRange) => Promise<_Record[]>> {
  const sdk = await import('@aws-sdk/client-dynamodb-streams');
  const c = client ?? new sdk.DynamoDBStreamsClient({});
  return (range) => streamRecordsOf(c, range);
}

/** ReplayQueues on SQS with the AWS SDK (credentials and region from the environment). */
export async function sqsReplayQueues(client?: SQSClient): Promise<ReplayQueues> {
  const sqs = await import('@aws-sdk/client-sqs');
  const c = client ?? new sqs.SQSClient({});
  return {
    async receive(queueUrl, max) {
      const { Messages = [] } = await c.send(new sqs.ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: max, VisibilityTimeout: 60, WaitTimeSeconds: 1 }));
      return Messages.flatMap((m) => (m.MessageId && m.Body !== undefined && m.ReceiptHandle ? [{ messageId: m.MessageId, body: m.Body, receiptHandle: m.ReceiptHandle }] : []));
    },
    remove: async (queueUrl, receiptHandle) => void (await c.send(new sqs.DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: receiptHandle }))),
    release: async (queueUrl, receiptHandle) => void (await c.send(new sqs.ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: receiptHandle, VisibilityTimeout: 0 }))),
    send: async (queueUrl, body) => void (await c.send(new sqs.SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }))),
    urlsOf: async (prefix) => (await c.send(new sqs.ListQueuesCommand({ QueueNamePrefix: prefix }))).QueueUrls ?? [],
  };
}
