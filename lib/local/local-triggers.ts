import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context, SQSRecord } from 'aws-lambda';
import * as z from 'zod';
import { publishStreamRecords } from '../adapters/dynamodb-event-stream';
import { eventSource } from '../adapters/eventbridge-publisher';
import type { AppDeps } from '../deps';
import type { SeamEvent } from '../events/schemas';
import { logger } from '../logger';
import type { JobDefinition, QueueName, Trigger } from '../triggers';
import type { LocalApp } from './local-app';
import { lambdaContext } from './server';
import { startStreamRelay } from './stream-relay';

/** What local mode puts in place of each kind of trigger of the table. */
export const localStandIns: Record<Trigger['kind'], string> = {
  bus: 'the in-process bus',
  schedule: 'a timer (the poll every LATCHKEY_TICK_SECONDS; daily jobs at start and once a day)',
  queue: 'the in-process queue',
  stream: "the stream relay on DynamoDB Local's stream, or the memory store's outbox",
  iot: 'local IoT Core, with LATCHKEY_ZWAVE_MOCK_LOCKS (lib/local/zwave)',
};

export interface LocalTriggerOptions {
  /** How often the poll schedule fires, in seconds. */
  tickSeconds: number;
  /** DynamoDB Local's table, whose stream the relay reads; absent on the memory store. */
  stream?: { endpoint: string; client: DynamoDBClient; tableName: string; pollMs: number };
}

/** A handler as local mode invokes it. */
export type Invoke = (event: unknown, context: Context) => Promise<unknown>;

/** A job's real handler, built on local mode's application through its factory. */
async function loadJob(fn: string, deps: AppDeps): Promise<Invoke> {
  const module: { makeHandler: (deps: AppDeps) => Invoke } = await import(`../../functions/${fn}`);
  return module.makeHandler(deps);
}

/** An event as an EventBridge rule hands it to its target. */
export function busEnvelope(event: SeamEvent) {
  return {
    version: '0',
    id: event.event_id,
    'detail-type': event.event_type,
    source: eventSource,
    account: 'local',
    time: event.occurred_at,
    region: 'local',
    resources: [],
    detail: event,
  };
}

/** One message as an SQS event source hands it to a function. */
export function sqsRecord(body: string, queue: QueueName): SQSRecord {
  return {
    messageId: randomUUID(),
    receiptHandle: 'local',
    body,
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(Date.now()), SenderId: 'local', ApproximateFirstReceiveTimestamp: String(Date.now()) },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:local:000000000000:${queue}`,
    awsRegion: 'local',
  };
}

const batchResponseSchema = z.object({ batchItemFailures: z.array(z.object({ itemIdentifier: z.string() })) });
const logFailure = (message: string) => (error: unknown) => logger.error(message, { error_name: error instanceof Error ? error.name : 'unknown' });

/** Runs `work` every `ms`, never twice at once; returns a stop function. */
function every(ms: number, work: () => Promise<unknown>): () => Promise<void> {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    work()
      .catch(() => {})
      .finally(() => {
        running = false;
      });
  }, ms);
  timer.unref();
  return async () => clearInterval(timer);
}

/**
 * Starts every job of the trigger table on local mode's stand-ins, with the same handlers as
 * in AWS: the one place local mode reads the table. Returns the stop functions.
 */
export async function startLocalTriggers(
  table: readonly JobDefinition[],
  app: LocalApp,
  options: LocalTriggerOptions,
  load: (fn: string, deps: AppDeps) => Promise<Invoke> = loadJob,
): Promise<(() => Promise<void>)[]> {
  const stops: (() => Promise<void>)[] = [];
  const queues: Record<QueueName, (handle: (body: string) => Promise<void>) => void> = {
    followUps: (handle) => app.followUps.subscribe((message) => handle(JSON.stringify(message))),
    webhookDeliveries: (handle) => {
      const stop = app.deliveries.start((delivery) => handle(JSON.stringify(delivery)), 1000);
      stops.push(async () => stop());
    },
  };
  for (const job of table) {
    const trigger = job.trigger;
    const context = () => lambdaContext(job.fn);
    switch (trigger.kind) {
      case 'bus': {
        const invoke = await load(job.fn, app.deps);
        const wanted = trigger.detailTypes === undefined ? undefined : new Set<string>(trigger.detailTypes);
        app.bus.subscribe(async (event) => {
          if (wanted === undefined || wanted.has(event.event_type)) await invoke(busEnvelope(event), context());
        });
        break;
      }
      case 'schedule': {
        const invoke = await load(job.fn, app.deps);
        if (trigger.every === 'poll') {
          stops.push(every(options.tickSeconds * 1000, () => invoke({}, context())));
        } else {
          void invoke({}, context()).catch(() => {});
          stops.push(every(86_400_000, () => invoke({}, context())));
        }
        break;
      }
      case 'queue': {
        const invoke = await load(job.fn, app.deps);
        queues[trigger.queue](async (body) => {
          const { batchItemFailures } = batchResponseSchema.parse(await invoke({ Records: [sqsRecord(body, trigger.queue)] }, context()));
          // A delivery not handled comes back later, as SQS's visibility timeout does; a follow-up left undone waits for the poller.
          if (trigger.queue === 'webhookDeliveries' && batchItemFailures.length > 0) throw new Error('delivery not handled');
        });
        break;
      }
      case 'stream': {
        const onError = logFailure('publishing events failed');
        const stream = options.stream;
        if (stream !== undefined) {
          const relay = startStreamRelay({ ...stream, intervalMs: stream.pollMs, handle: (records) => publishStreamRecords(app.deps.publisher, records, onError), onError });
          stops.push(relay.stop);
        }
        // A publish that failed in memory mode is tried again on every tick.
        const outbox = app.outbox;
        if (outbox !== undefined) stops.push(every(options.tickSeconds * 1000, () => outbox.flush()));
        break;
      }
      case 'iot':
        break;
    }
  }
  return stops;
}
