import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoDbStores } from './adapters/dynamodb-stores';
import { eventBridgePublisher } from './adapters/eventbridge-publisher';
import { InProcessBus } from './adapters/in-process-bus';
import { InProcessDeliveryQueue } from './adapters/in-process-delivery-queue';
import { httpWebhookTransport } from './adapters/http-webhook-transport';
import { sqsDeliveryQueue } from './adapters/sqs-delivery-queue';
import { dynamoDbKeypadStore } from './adapters/dynamodb-keypads';
import { localDynamoDbClient } from './adapters/dynamodb-table-setup';
import { MemoryOutbox } from './adapters/memory-outbox';
import { traceClient } from './observability';
import { InProcessFollowUps } from './adapters/in-process-follow-ups';
import { sqsFollowUps } from './adapters/sqs-follow-ups';
import { createMemoryStores } from './adapters/memory-stores';
import type { LifecycleSettings } from './access-codes/lifecycle';
import { dynamoDbSecretStore } from './adapters/dynamodb-connected-accounts';
import { tableOperations } from './adapters/dynamodb-support';
import { memorySecretStore } from './adapters/memory-connected-accounts';
import { secretsManagerStore } from './adapters/secrets-manager-secrets';
import { iotHubShadows } from './adapters/iot-hub-shadows';
import { memoryKeypadStore, type SandboxKeypadStore } from './providers/sandbox';
import { lazySeamUpstream } from './providers/seam';
import { type ProviderWiring, wireProviders } from './providers/registry';
import { type Config, config } from './config';
import type { HttpDeps } from './http/seam-route';
import { logger } from './logger';
import type { Clock, Deps, EventPublisher, IdGenerator, SecretStore, Stores, WebhookOut } from './ports';
import { authenticator } from './principals/authenticate';
import { lifecycleEngine } from './engine/engine';

export interface AppDeps extends Deps, HttpDeps, WebhookOut {
  /** The in-process webhook delivery queue when no SQS queue is configured (local mode), for the local server to run. */
  localDeliveries?: InProcessDeliveryQueue;
  /** The in-process bus when no EventBridge bus is configured (local mode), for the worker to subscribe. */
  localBus?: InProcessBus;
  /** The memory store's outbox (LATCHKEY_STORE=memory); on DynamoDB the table's stream is the outbox. */
  outbox?: MemoryOutbox;
  /** Follow-ups on timers when no SQS queue is configured (local mode), for the local engine to run. */
  localFollowUps?: InProcessFollowUps;
}

export const systemClock: Clock = { now: () => new Date() };
export const uuidGenerator: IdGenerator = { uuid: () => randomUUID() };

function stores(cfg: Config, outbox: MemoryOutbox | undefined): Stores & { keypads: SandboxKeypadStore; secrets: SecretStore } {
  const codeHistoryDays = cfg.LATCHKEY_CODE_HISTORY_DAYS;
  if (cfg.LATCHKEY_STORE === 'memory') return { ...createMemoryStores({ codeHistoryDays, outbox }), keypads: memoryKeypadStore(), secrets: memorySecretStore() };
  const client = cfg.LATCHKEY_DYNAMODB_ENDPOINT ? localDynamoDbClient(cfg.LATCHKEY_DYNAMODB_ENDPOINT) : traceClient(new DynamoDBClient({}));
  const table = { client, tableName: cfg.LATCHKEY_TABLE_NAME };
  return {
    ...createDynamoDbStores({ ...table, codeHistoryDays }),
    keypads: dynamoDbKeypadStore(client, cfg.LATCHKEY_TABLE_NAME),
    // In AWS the stack names a Secrets Manager prefix; locally credentials stay in the table.
    secrets: cfg.LATCHKEY_SECRETS_PREFIX ? secretsManagerStore(cfg.LATCHKEY_SECRETS_PREFIX) : dynamoDbSecretStore(tableOperations(client, cfg.LATCHKEY_TABLE_NAME)),
  };
}

/** The lifecycle engine's timing, from configuration. */
export const lifecycleSettings = (cfg: Config): LifecycleSettings => ({
  jitLeadSeconds: cfg.LATCHKEY_JIT_LEAD_SECONDS,
  nativeLeadHours: cfg.LATCHKEY_NATIVE_LEAD_HOURS,
  delayWarningMs: cfg.LATCHKEY_DELAY_WARNING_SECONDS * 1000,
  maxAttempts: cfg.LATCHKEY_MAX_ATTEMPTS,
  retryBaseMs: cfg.LATCHKEY_RETRY_BASE_SECONDS * 1000,
  retryCapMs: 300_000,
});

const logFollowUpFailure = (error: unknown) => logger.error('follow-up step failed', { error_name: error instanceof Error ? error.name : 'unknown' });
const logPublishFailure = (error: unknown) => logger.error('publishing events failed', { error_name: error instanceof Error ? error.name : 'unknown' });

/** Where events go: the configured EventBridge bus, else an in-process bus local listeners subscribe to. */
function eventsOut(cfg: Config): { publisher: EventPublisher; localBus?: InProcessBus } {
  if (cfg.LATCHKEY_EVENT_BUS_NAME) return { publisher: eventBridgePublisher(cfg.LATCHKEY_EVENT_BUS_NAME) };
  const localBus = new InProcessBus((error) => logger.error('event listener failed', { error_name: error instanceof Error ? error.name : 'unknown' }));
  return { publisher: localBus, localBus };
}

/**
 * Where webhook deliveries wait and how they go out: the stack's SQS queues, with no requests
 * to internal addresses; else an in-process queue on the application's clock, and any address
 * (a receiver on localhost).
 */
function webhooksOut(cfg: Config, clock: Clock): WebhookOut & { localDeliveries?: InProcessDeliveryQueue } {
  const queueUrl = cfg.LATCHKEY_WEBHOOK_QUEUE_URL;
  const deadLetterUrl = cfg.LATCHKEY_WEBHOOK_DEAD_LETTER_QUEUE_URL;
  if (queueUrl && deadLetterUrl) return { deliveries: sqsDeliveryQueue(queueUrl, deadLetterUrl), webhookTransport: httpWebhookTransport({ allowInternal: false }) };
  const localDeliveries = new InProcessDeliveryQueue(clock);
  return { deliveries: localDeliveries, localDeliveries, webhookTransport: httpWebhookTransport({ allowInternal: true }) };
}

/** Wires the application from configuration; `overrides` swap single parts (tests, local mode). */
export function buildDeps(cfg: Config, overrides: Partial<Deps> = {}, wiring: Partial<ProviderWiring> = {}): AppDeps {
  const { publisher, localBus } = eventsOut(cfg);
  const outbox = cfg.LATCHKEY_STORE === 'memory' ? new MemoryOutbox(logPublishFailure) : undefined;
  const backend = stores(cfg, outbox);
  const { localDeliveries, ...webhooks } = webhooksOut(cfg, overrides.clock ?? systemClock);
  const followUpQueue = cfg.LATCHKEY_FOLLOW_UP_QUEUE_URL;
  const localFollowUps = followUpQueue ? undefined : new InProcessFollowUps(overrides.clock ?? systemClock, logFollowUpFailure);
  const followUps = followUpQueue ? sqsFollowUps(followUpQueue, overrides.clock ?? systemClock) : localFollowUps;
  const withoutProviders = {
    ...backend,
    clock: systemClock,
    ids: uuidGenerator,
    publisher,
    followUps,
    settings: lifecycleSettings(cfg),
    ...overrides,
  };
  const providers = wireProviders(withoutProviders, {
    seamUpstream: lazySeamUpstream,
    sandboxLatencyMs: cfg.LATCHKEY_SANDBOX_LATENCY_MS,
    seamPollMs: cfg.LATCHKEY_SEAM_POLL_SECONDS * 1000,
    ...(cfg.LATCHKEY_ZWAVE_HUBS === 'aws-iot' && { zwaveShadows: iotHubShadows(cfg.LATCHKEY_IOT_DATA_ENDPOINT) }),
    ...wiring,
  });
  const { keypads: _keypads, ...wired } = { ...withoutProviders, ...providers, ...overrides };
  const base: Deps = { ...wired, engine: overrides.engine ?? lifecycleEngine(() => base) };
  outbox?.relayTo(base.publisher);
  return {
    ...base,
    ...webhooks,
    localBus,
    outbox,
    localDeliveries,
    localFollowUps,
    authenticate: authenticator(base, cfg.LATCHKEY_API_KEY_CACHE_SECONDS),
    maxBodyBytes: cfg.LATCHKEY_MAX_BODY_BYTES,
  };
}

let shared: AppDeps | undefined;
let processWiring: Partial<ProviderWiring> = {};

/** Local mode adds parts only it has (the Z-Wave hubs' local IoT Core) before the first handler builds the application. */
export function wireProcess(wiring: Partial<ProviderWiring>): void {
  if (shared) throw new Error('wireProcess must run before the application is built');
  processWiring = wiring;
}

/** The process's application, built once per cold start and shared by every handler in it. */
export function appDeps(): AppDeps {
  shared ??= buildDeps(config(), {}, processWiring);
  return shared;
}
