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
import { withoutSdkLogging } from './adapters/sdk-client';
import { sqsFollowUps } from './adapters/sqs-follow-ups';
import type { LifecycleSettings } from './access-codes/lifecycle';
import { dynamoDbSecretStore } from './adapters/dynamodb-connected-accounts';
import { tableOperations } from './adapters/dynamodb-support';
import { secretsManagerStore } from './adapters/secrets-manager-secrets';
import type { SandboxKeypadStore } from './providers/sandbox';
import type { ProviderWiring } from './providers/registry';
import { type Config, config, envSchema } from './config';
import type { HttpDeps } from './http/seam-route';
import type { Clock, DeliveryQueue, Deps, Engine, EventPublisher, IdGenerator, SecretStore, Stores, WebhookOut } from './ports';
import { authenticator } from './principals/authenticate';
import { callsLocks, missingConfiguration, needsOf } from './triggers';

export interface AppDeps extends Deps, HttpDeps, WebhookOut {}

/** The application of a function that neither applies lifecycle rules nor reaches locks (`callsLocks` in lib/triggers.ts): no lock side. */
export type CoreDeps = Omit<AppDeps, 'providers' | 'accountSources' | 'engine'>;

/** The application of a function that reaches locks but takes no engine step (its table entry has no `followUps`): no engine. */
export type LockDeps = Omit<AppDeps, 'engine'>;

export const systemClock: Clock = { now: () => new Date() };
export const uuidGenerator: IdGenerator = { uuid: () => randomUUID() };

/** A store backend's parts: the stores, with the sandbox's keypads and the secret store. */
type Backend = Stores & { keypads: SandboxKeypadStore; secrets: SecretStore };

/**
 * The pieces a function is built from besides the core (stores, messaging, authentication), each
 * in its own module so that a bundle holds only the pieces its function's entry passes.
 */
export interface Pieces {
  /** The lock side (lib/wiring/locks.ts): every function whose table entry `callsLocks`. */
  locks?: LockSide;
  /** The engine (lib/wiring/engine.ts), which drives the lock side: every function whose table entry takes engine steps (`followUps`). */
  engine?: EngineSide;
  /** The memory store (lib/wiring/whole-app.ts), for LATCHKEY_STORE=memory: local mode and tests only. */
  memory?: (cfg: Config, parts: LocalParts) => Backend;
}

/** Builds the lock side onto the rest of the application: every lock provider and account source, wired to the stores they keep state in and to how they reach the world. */
export type LockSide = (
  base: Omit<CoreDeps, 'authenticate' | 'maxBodyBytes'> & Pick<Backend, 'keypads'>,
  cfg: Config,
  wiring: Partial<ProviderWiring>,
) => Pick<AppDeps, 'providers' | 'accountSources'>;

/** Builds the engine, reading the application it is wired into at each call. */
export type EngineSide = (app: () => AppDeps) => Engine;

/**
 * The memory store where it is chosen but not wired: a function module imported by a test or by
 * `npm start` builds its module-level handler on it, and serves its own deps (buildDeps) instead.
 * Nothing reaches it but a call, which names the fault. In Lambda the cold start refuses it.
 */
function unwiredMemoryStore(): Backend {
  const refuse = () => {
    throw new Error('The memory store is not wired into a function of its own: LATCHKEY_STORE=memory is served through buildDeps (lib/wiring/whole-app.ts)');
  };
  // Any use throws, so the stand-in can stand for every repository's type.
  const part: never = new Proxy({}, { get: refuse }) as never;
  return {
    accessCodes: part,
    codeHistory: part,
    unmanagedCodes: part,
    devices: part,
    connectedAccounts: part,
    actionAttempts: part,
    lockActions: part,
    pacing: part,
    events: part,
    workspaces: part,
    clientSessions: part,
    credentials: part,
    webhooks: part,
    idempotencyKeys: part,
    keypads: part,
    secrets: part,
  };
}

function stores(cfg: Config, pieces: Pieces, parts: LocalParts): Backend {
  const codeHistoryDays = cfg.LATCHKEY_CODE_HISTORY_DAYS;
  if (cfg.LATCHKEY_STORE === 'memory') return pieces.memory?.(cfg, parts) ?? unwiredMemoryStore();
  const client = cfg.LATCHKEY_DYNAMODB_ENDPOINT ? localDynamoDbClient(cfg.LATCHKEY_DYNAMODB_ENDPOINT) : traceClient(withoutSdkLogging(new DynamoDBClient({})));
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
 * The one composition root: the application from a configuration object and the pieces it is
 * built from. Lambda (`appDeps`), `npm start` and tests (`buildDeps`, every piece) all build
 * through it; `overrides` swap single parts (local mode's in-process bus and queues, a test's
 * clock), `parts` add what only they have. Without the lock side the answer has none of its parts.
 */
export function composeApp(cfg: Config, pieces: Pieces & { locks: LockSide; engine: EngineSide }, overrides?: Partial<AppDeps>, parts?: LocalParts): AppDeps;
export function composeApp(cfg: Config, pieces: Pieces & { locks: LockSide }, overrides?: Partial<AppDeps>, parts?: LocalParts): LockDeps;
export function composeApp(cfg: Config, pieces: Pieces, overrides?: Partial<AppDeps>, parts?: LocalParts): CoreDeps;
export function composeApp(cfg: Config, pieces: Pieces, overrides: Partial<AppDeps> = {}, parts: LocalParts = {}): CoreDeps | LockDeps | AppDeps {
  const { outbox, keypads: _keypads, ...wiring } = parts;
  const withoutLocks = {
    ...stores(cfg, pieces, parts),
    clock: systemClock,
    ids: uuidGenerator,
    ...messaging(cfg, overrides.clock ?? systemClock),
    settings: lifecycleSettings(cfg),
    ...overrides,
  };
  const http = (wired: Parameters<typeof authenticator>[0]) => ({
    authenticate: authenticator(wired, cfg.LATCHKEY_API_KEY_CACHE_SECONDS),
    maxBodyBytes: cfg.LATCHKEY_MAX_BODY_BYTES,
  });
  const { locks, engine } = pieces;
  if (engine && !locks) throw new Error('The engine is wired without the lock side it drives (lib/wiring/locks.ts)');
  if (!locks) {
    const { keypads: _unused, ...wired } = withoutLocks;
    const core: CoreDeps = { ...wired, ...http(wired) };
    outbox?.relayTo(core.publisher);
    return core;
  }
  const { keypads: _unused, ...wired } = { ...withoutLocks, ...locks(withoutLocks, cfg, wiring), ...overrides };
  if (!engine) {
    const locked: LockDeps = { ...wired, ...http(wired) };
    outbox?.relayTo(locked.publisher);
    return locked;
  }
  const app: AppDeps = { ...wired, engine: overrides.engine ?? engine(() => app), ...http(wired) };
  outbox?.relayTo(app.publisher);
  return app;
}

/** What a function's entry wires that its table entry does not call for, or lacks that it does. */
function wiringFaults(fn: string, pieces: Pieces): string[] {
  const needs = needsOf(fn);
  const faults = [];
  if (callsLocks(needs) && !pieces.locks) faults.push('its entry wires no lock side (lib/wiring/locks.ts), which its table entry needs');
  if (!callsLocks(needs) && pieces.locks) faults.push('its entry wires the lock side, which its table entry does not need (no lifecycle, credentials or hub shadows)');
  if (needs.followUps === true && !pieces.engine) faults.push('its entry wires no engine (lib/wiring/engine.ts), which its table entry needs (it takes engine steps)');
  if (needs.followUps !== true && pieces.engine) faults.push('its entry wires the engine, which its table entry does not need (it takes no engine step)');
  return faults;
}

/**
 * In Lambda, the configuration the function's table entry needs, or a cold start that fails
 * naming what is missing; with `pieces`, also the pieces its entry wires against the table's.
 * Elsewhere (local mode, tests, the CLI) the configuration as it is.
 */
export function checkedForLambda(cfg: Config, pieces?: Pieces): Config {
  if (cfg.AWS_LAMBDA_FUNCTION_NAME === undefined) return cfg;
  const fn = cfg.LATCHKEY_FUNCTION;
  if (fn === undefined) throw new Error('LATCHKEY_FUNCTION is not set: the stack names each function after its routes or trigger table entry');
  const memory = cfg.LATCHKEY_STORE === 'memory' ? ['LATCHKEY_STORE is memory, which only local mode and tests wire'] : [];
  const faults = [...memory, ...missingConfiguration(needsOf(fn), cfg), ...(pieces ? wiringFaults(fn, pieces) : [])];
  if (faults.length > 0) throw new Error(`${fn} cannot start: ${faults.join('; ')}`);
  return cfg;
}

let shared: CoreDeps | undefined;

/**
 * A Lambda function's application, built once per cold start from its environment: with the lock
 * side and the engine when its entry passes them (lib/wiring/), so only those bundles hold the
 * providers and the engine. Local mode gives handlers its own through their factories.
 */
export function appDeps(): CoreDeps;
export function appDeps(locks: LockSide): LockDeps;
export function appDeps(locks: LockSide, engine: EngineSide): AppDeps;
export function appDeps(locks?: LockSide, engine?: EngineSide): CoreDeps {
  const pieces: Pieces = { ...(locks && { locks }), ...(engine && { engine }) };
  shared ??= composeApp(checkedForLambda(config(), pieces), pieces);
  return shared;
}
