import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoDbStores } from './adapters/dynamodb-stores';
import { eventBridgePublisher } from './adapters/eventbridge-publisher';
import { InProcessBus } from './adapters/in-process-bus';
import { dynamoDbKeypadStore } from './adapters/dynamodb-keypads';
import { localDynamoDbClient } from './adapters/dynamodb-table-setup';
import { createMemoryStores } from './adapters/memory-stores';
import type { LifecycleSettings } from './access-codes/lifecycle';
import type { SandboxKeypadStore } from './devices/lock-provider';
import { providerRegistry } from './devices/providers';
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
  const client = cfg.LATCHKEY_DYNAMODB_ENDPOINT ? localDynamoDbClient(cfg.LATCHKEY_DYNAMODB_ENDPOINT) : new DynamoDBClient({});
  return {
    ...createDynamoDbStores({ client, tableName: cfg.LATCHKEY_TABLE_NAME }),
    keypads: dynamoDbKeypadStore(client, cfg.LATCHKEY_TABLE_NAME),
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

/** Where events go: the configured EventBridge bus, else an in-process bus local listeners subscribe to. */
function eventsOut(cfg: Config): { publisher: EventPublisher; localBus?: InProcessBus } {
  if (cfg.LATCHKEY_EVENT_BUS_NAME) return { publisher: eventBridgePublisher(cfg.LATCHKEY_EVENT_BUS_NAME) };
  const localBus = new InProcessBus((error) => logger.error('event listener failed', { error_name: error instanceof Error ? error.name : 'unknown' }));
  return { publisher: localBus, localBus };
}

/** Wires the application from configuration; `overrides` swap single parts (tests, local mode). */
export function buildDeps(cfg: Config, overrides: Partial<Deps> = {}): AppDeps {
  const { publisher, localBus } = eventsOut(cfg);
  const { keypads, ...backend } = stores(cfg);
  const clock = overrides.clock ?? systemClock;
  const base: Deps = {
    ...backend,
    clock,
    ids: uuidGenerator,
    publisher,
    providers: providerRegistry([sandboxProvider({ keypads, clock, latencyMs: cfg.LATCHKEY_SANDBOX_LATENCY_MS })]),
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
