import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoDbStores } from './adapters/dynamodb-stores';
import { eventBridgePublisher } from './adapters/eventbridge-publisher';
import { httpWebhookTransport } from './adapters/http-webhook-transport';
import { sqsDeliveryQueue } from './adapters/sqs-delivery-queue';
import { dynamoDbKeypadStore } from './adapters/dynamodb-keypads';
import { localDynamoDbClient } from './adapters/dynamodb-table-setup';
import type { MemoryOutbox } from './adapters/memory-outbox';
import { traceClient } from './observability';
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
import { type Config, config, envSchema } from './config';
import type { HttpDeps } from './http/seam-route';
import type { Clock, DeliveryQueue, Deps, EventPublisher, IdGenerator, SecretStore, Stores, WebhookOut } from './ports';
import { authenticator } from './principals/authenticate';
import { lifecycleEngine } from './engine/engine';
import { missingConfiguration, needsOf } from './triggers';

export interface AppDeps extends Deps, HttpDeps, WebhookOut {}

export const systemClock: Clock = { now: () => new Date() };
export const uuidGenerator: IdGenerator = { uuid: () => randomUUID() };

function stores(cfg: Config, parts: LocalParts): Stores & { keypads: SandboxKeypadStore; secrets: SecretStore } {
  const codeHistoryDays = cfg.LATCHKEY_CODE_HISTORY_DAYS;
  if (cfg.LATCHKEY_STORE === 'memory') {
    return { ...createMemoryStores({ codeHistoryDays, outbox: parts.outbox }), keypads: parts.keypads ?? memoryKeypadStore(), secrets: memorySecretStore() };
  }
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
  recurringLeadSeconds: cfg.LATCHKEY_RECURRING_LEAD_SECONDS,
  delayWarningMs: cfg.LATCHKEY_DELAY_WARNING_SECONDS * 1000,
  maxAttempts: cfg.LATCHKEY_MAX_ATTEMPTS,
  retryBaseMs: cfg.LATCHKEY_RETRY_BASE_SECONDS * 1000,
  retryCapMs: cfg.LATCHKEY_RETRY_CAP_SECONDS * 1000,
  lockSweepMs: cfg.LATCHKEY_LOCK_SWEEP_MINUTES * 60_000,
});

/** The lifecycle settings of an unconfigured process: the config schema's defaults. */
export const defaultLifecycleSettings: LifecycleSettings = lifecycleSettings(envSchema.parse({}));

/** A part the function was not configured with: using it is a wiring fault, which names the variable. */
const notConfigured = (part: string, variable: string) => new Error(`${part} is not configured: ${variable} is not set`);
const noBus: EventPublisher = {
  publish: async () => {
    throw notConfigured('The event bus', 'LATCHKEY_EVENT_BUS_NAME');
  },
};
const noDeliveryQueue: DeliveryQueue = {
  send: async () => {
    throw notConfigured('The webhook delivery queue', 'LATCHKEY_WEBHOOK_QUEUE_URL');
  },
  deadLetter: async () => {
    throw notConfigured('The webhook dead-letter queue', 'LATCHKEY_WEBHOOK_DEAD_LETTER_QUEUE_URL');
  },
};

/** Where events go, webhook deliveries wait and follow-ups are scheduled: the stack's bus and queues, where configured. */
function messaging(cfg: Config, clock: Clock): Pick<AppDeps, 'publisher' | 'deliveries' | 'webhookTransport' | 'followUps'> {
  const queueUrl = cfg.LATCHKEY_WEBHOOK_QUEUE_URL;
  const deadLetterUrl = cfg.LATCHKEY_WEBHOOK_DEAD_LETTER_QUEUE_URL;
  const followUpQueue = cfg.LATCHKEY_FOLLOW_UP_QUEUE_URL;
  return {
    publisher: cfg.LATCHKEY_EVENT_BUS_NAME ? eventBridgePublisher(cfg.LATCHKEY_EVENT_BUS_NAME) : noBus,
    deliveries: queueUrl && deadLetterUrl ? sqsDeliveryQueue(queueUrl, deadLetterUrl) : noDeliveryQueue,
    // No requests to internal addresses; local mode allows them (a receiver on localhost).
    webhookTransport: httpWebhookTransport({ allowInternal: false }),
    ...(followUpQueue && { followUps: sqsFollowUps(followUpQueue, clock) }),
  };
}

/** Parts only local mode and tests bring: the memory store's outbox and sandbox keypads, and how providers reach the world. */
export interface LocalParts extends Partial<ProviderWiring> {
  /** The memory store's outbox (LATCHKEY_STORE=memory); on DynamoDB the table's stream is the outbox. */
  outbox?: MemoryOutbox;
  keypads?: SandboxKeypadStore;
}

/**
 * The one composition root: the application from a configuration object. Lambda, `npm start`
 * and tests all build through it; `overrides` swap single parts (local mode's in-process bus
 * and queues, a test's clock), `parts` add what only they have.
 */
export function buildDeps(cfg: Config, overrides: Partial<AppDeps> = {}, parts: LocalParts = {}): AppDeps {
  const { outbox, keypads: _keypads, ...wiring } = parts;
  const backend = stores(cfg, parts);
  const withoutProviders = {
    ...backend,
    clock: systemClock,
    ids: uuidGenerator,
    ...messaging(cfg, overrides.clock ?? systemClock),
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
  const { keypads: _unused, ...wired } = { ...withoutProviders, ...providers, ...overrides };
  const app: AppDeps = {
    ...wired,
    engine: overrides.engine ?? lifecycleEngine(() => app),
    authenticate: authenticator(wired, cfg.LATCHKEY_API_KEY_CACHE_SECONDS),
    maxBodyBytes: cfg.LATCHKEY_MAX_BODY_BYTES,
  };
  outbox?.relayTo(app.publisher);
  return app;
}

/**
 * In Lambda, the configuration the function's table entry needs, or a cold start that fails
 * naming what is missing. Elsewhere (local mode, tests, the CLI) the configuration as it is.
 */
export function checkedForLambda(cfg: Config): Config {
  if (cfg.AWS_LAMBDA_FUNCTION_NAME === undefined) return cfg;
  const fn = cfg.LATCHKEY_FUNCTION;
  if (fn === undefined) throw new Error('LATCHKEY_FUNCTION is not set: the stack names each function after its routes or trigger table entry');
  const missing = missingConfiguration(needsOf(fn), cfg);
  if (missing.length > 0) throw new Error(`${fn} cannot start: ${missing.join('; ')}`);
  return cfg;
}

let shared: AppDeps | undefined;

/** A Lambda function's application, built once per cold start from its environment; local mode gives handlers its own through their factories. */
export function appDeps(): AppDeps {
  shared ??= buildDeps(checkedForLambda(config()));
  return shared;
}
