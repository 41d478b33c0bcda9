import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoDbStores } from './adapters/dynamodb-stores';
import { eventBridgePublisher } from './adapters/eventbridge-publisher';
import { InProcessBus } from './adapters/in-process-bus';
import { dynamoDbKeypadStore } from './adapters/dynamodb-keypads';
import { createMemoryStores } from './adapters/memory-stores';
import type { LifecycleSettings } from './access-codes/lifecycle';
import type { SandboxKeypadStore } from './devices/lock-provider';
import { memoryKeypadStore, sandboxProvider } from './devices/sandbox-provider';
import { type Config, config } from './config';
import type { HttpDeps } from './http/seam-route';
import { logger } from './logger';
import type { Clock, Deps, EventPublisher, IdGenerator, Stores } from './ports';
import { apiKeyAuthenticator } from './workspaces/workspaces';

export interface AppDeps extends Deps, HttpDeps {
  /** The in-process bus when no EventBridge bus is configured (local mode), for the worker to subscribe. */
  localBus?: InProcessBus;
}

export const systemClock: Clock = { now: () => new Date() };
export const uuidGenerator: IdGenerator = { uuid: () => randomUUID() };

function stores(cfg: Config): Stores & { keypads: SandboxKeypadStore } {
  if (cfg.LATCHKEY_STORE === 'memory') return { ...createMemoryStores(), keypads: memoryKeypadStore() };
  const client = new DynamoDBClient(
    cfg.LATCHKEY_DYNAMODB_ENDPOINT
      ? { endpoint: cfg.LATCHKEY_DYNAMODB_ENDPOINT, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {},
  );
  return {
    ...createDynamoDbStores({ client, tableName: cfg.LATCHKEY_TABLE_NAME }),
    keypads: dynamoDbKeypadStore(client, cfg.LATCHKEY_TABLE_NAME),
  };
}

/** The lifecycle engine's timing, from configuration. */
export const lifecycleSettings = (cfg: Config): LifecycleSettings => ({
  jitLeadSeconds: cfg.LATCHKEY_JIT_LEAD_SECONDS,
  nativeLeadHours: cfg.LATCHKEY_NATIVE_LEAD_HOURS,
  verifyAfterMs: Math.max(250, cfg.LATCHKEY_SANDBOX_LATENCY_MS),
  delayWarningMs: cfg.LATCHKEY_DELAY_WARNING_SECONDS * 1000,
  maxAttempts: cfg.LATCHKEY_MAX_ATTEMPTS,
  retryBaseMs: cfg.LATCHKEY_RETRY_BASE_SECONDS * 1000,
  retryCapMs: 300_000,
});

/** Wires the application from configuration; `overrides` swap single parts (tests, local mode). */
export function buildDeps(cfg: Config, overrides: Partial<Deps> = {}): AppDeps {
  const localBus = cfg.LATCHKEY_EVENT_BUS_NAME
    ? undefined
    : new InProcessBus((error) => logger.error('event listener failed', { error_name: error instanceof Error ? error.name : 'unknown' }));
  const publisher: EventPublisher = cfg.LATCHKEY_EVENT_BUS_NAME
    ? eventBridgePublisher(cfg.LATCHKEY_EVENT_BUS_NAME)
    : (localBus as InProcessBus);
  const { keypads, ...backend } = stores(cfg);
  const clock = overrides.clock ?? systemClock;
  const base: Deps = {
    ...backend,
    clock,
    ids: uuidGenerator,
    publisher,
    provider: sandboxProvider({ keypads, clock, latencyMs: cfg.LATCHKEY_SANDBOX_LATENCY_MS }),
    settings: lifecycleSettings(cfg),
    ...overrides,
  };
  return {
    ...base,
    localBus,
    authenticate: apiKeyAuthenticator(base, cfg.LATCHKEY_API_KEY_CACHE_SECONDS),
    maxBodyBytes: cfg.LATCHKEY_MAX_BODY_BYTES,
  };
}

let shared: AppDeps | undefined;

/** The process's application, built once per cold start and shared by every handler in it. */
export function appDeps(): AppDeps {
  shared ??= buildDeps(config());
  return shared;
}
