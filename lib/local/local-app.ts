import { httpWebhookTransport } from '../adapters/http-webhook-transport';
import { InProcessBus } from '../adapters/in-process-bus';
import { InProcessDeliveryQueue } from '../adapters/in-process-delivery-queue';
import { InProcessFollowUps } from '../adapters/in-process-follow-ups';
import { MemoryOutbox } from '../adapters/memory-outbox';
import type { Config } from '../config';
import { type AppDeps, type LocalParts, systemClock } from '../deps';
import { buildDeps } from '../wiring/whole-app';
import { logger } from '../logger';
import type { Clock } from '../ports';

/** The application as local mode runs it, with the in-process stand-ins for the stack's bus and queues. */
export interface LocalApp {
  deps: AppDeps;
  /** Stands in for the EventBridge bus. */
  bus: InProcessBus;
  /** Stands in for the follow-up queue: a timer per scheduled step. */
  followUps: InProcessFollowUps;
  /** Stands in for the webhook delivery queue and its dead letters. */
  deliveries: InProcessDeliveryQueue;
  /** The memory store's outbox (LATCHKEY_STORE=memory); on DynamoDB the table's stream is the outbox. */
  outbox?: MemoryOutbox;
}

const logFailure = (message: string) => (error: unknown) => logger.error(message, { error_name: error instanceof Error ? error.name : 'unknown' });

/**
 * The local builder: the one composition root (buildDeps) with the in-process bus, queues and
 * follow-ups in place of the stack's, and webhooks allowed to reach a receiver on localhost.
 * These stand-ins exist only here: a Lambda function lacking its bus or queues fails at cold start.
 */
export function buildLocalApp(cfg: Config, options: { clock?: Clock; parts?: LocalParts } = {}): LocalApp {
  const clock = options.clock ?? systemClock;
  const bus = new InProcessBus(logFailure('event listener failed'));
  const followUps = new InProcessFollowUps(clock, logFailure('follow-up step failed'));
  const deliveries = new InProcessDeliveryQueue(clock);
  const outbox = cfg.LATCHKEY_STORE === 'memory' ? new MemoryOutbox(logFailure('publishing events failed')) : undefined;
  const deps = buildDeps(cfg, { clock, publisher: bus, followUps, deliveries, webhookTransport: httpWebhookTransport({ allowInternal: true }) }, { ...options.parts, ...(outbox && { outbox }) });
  return { deps, bus, followUps, deliveries, ...(outbox && { outbox }) };
}
