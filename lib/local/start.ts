import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Server } from 'node:http';
import { ensureTable, localDynamoDbClient } from '../adapters/dynamodb-table-setup';
import type { Config } from '../config';
import type { AppDeps } from '../deps';
import type { Clock } from '../ports';
import { createApiKey, createWorkspace, hashApiKey } from '../workspaces/workspaces';
import { startDynamoDbLocal } from './dynamodb-local';
import { consolePages } from '../console/console-pages';
import { localhostOrigins } from '../http/cors';
import { jobs } from '../triggers';
import { buildLocalApp } from './local-app';
import { startLocalTriggers } from './local-triggers';
import { createLocalServer, listen, loadHandlers } from './server';

export interface LocalOptions {
  /** The application's configuration (store, table, settings), as a Lambda function gets it from its environment. */
  config: Config;
  port: number;
  /** Where DynamoDB Local keeps its files; undefined keeps it in memory. */
  dataDir?: string;
  /** Fixes the sandbox workspace's API key. */
  apiKey?: string;
  /** How often the in-process timer runs the poller, in seconds (EventBridge's schedule in AWS). */
  tickSeconds: number;
  /** Origins browsers may call from; `localhost` (any local port) by default. */
  corsOrigins?: readonly string[];
  /** How often the stream relay reads the table's stream for new events, in milliseconds. */
  streamPollMs?: number;
  /** Adds this many mock Z-Wave locks behind the real edge agent (LATCHKEY_ZWAVE_MOCK_LOCKS); none when unset. */
  zwaveMockLocks?: number;
  /** The application's clock (tests move one by hand); the system clock when unset. */
  clock?: Clock;
}

export interface RunningLatchkey {
  url: string;
  storeDescription: string;
  workspaceId: string;
  /** The API key, when this start created or fixed it (keys are stored hashed, so only then). */
  apiKey?: string;
  /** The mock Z-Wave hub, when LATCHKEY_ZWAVE_MOCK_LOCKS asked for one. */
  zwave?: { accountId: string; locks: number; mqttUrl: string };
  /** The application the handlers run on, and its configuration (with the DynamoDB Local started for it). */
  deps: AppDeps;
  config: Config;
  server: Server;
  stop(): Promise<void>;
}

/**
 * Starts Latchkey locally: the store, the table, a sandbox workspace on first start, the real
 * handlers behind a local HTTP server, and every job of the trigger table on in-process
 * stand-ins. Everything runs on one application built from `options.config`; the process
 * environment is not touched.
 */
export async function startLocal(options: LocalOptions): Promise<RunningLatchkey> {
  const stops: (() => Promise<void>)[] = [];
  let storeDescription = 'in-memory store (LATCHKEY_STORE=memory): nothing is kept at exit';
  let cfg = options.config;
  const tableName = cfg.LATCHKEY_TABLE_NAME;
  if (cfg.LATCHKEY_STORE === 'dynamodb') {
    let endpoint = cfg.LATCHKEY_DYNAMODB_ENDPOINT;
    if (endpoint === undefined) {
      if (options.dataDir !== undefined) mkdirSync(options.dataDir, { recursive: true });
      const local = await startDynamoDbLocal({ dataDir: options.dataDir && resolve(options.dataDir) });
      stops.push(local.stop);
      endpoint = local.endpoint;
      if (options.dataDir !== undefined) {
        // The operator CLI reaches the running DynamoDB Local through this file instead of opening the same files twice.
        const endpointFile = join(options.dataDir, 'dynamodb-endpoint');
        writeFileSync(endpointFile, endpoint);
        stops.unshift(async () => rmSync(endpointFile, { force: true }));
      }
      storeDescription = `Amazon DynamoDB Local at ${endpoint}, data in ${options.dataDir ?? 'memory'}`;
      cfg = { ...cfg, LATCHKEY_DYNAMODB_ENDPOINT: endpoint };
    } else {
      storeDescription = `DynamoDB at ${endpoint} (LATCHKEY_DYNAMODB_ENDPOINT)`;
    }
    await ensureTable(localDynamoDbClient(endpoint), tableName);
  }

  // Z-Wave is imported only when asked for, so a plain `npm start` loads none of it.
  const zwaveModule = options.zwaveMockLocks ? await import('./zwave/local-mode') : undefined;
  const zwave = zwaveModule && (await zwaveModule.startLocalZwave(cfg.LATCHKEY_STORE === 'dynamodb' && options.config.LATCHKEY_DYNAMODB_ENDPOINT === undefined ? options.dataDir : undefined));

  const app = buildLocalApp(cfg, { parts: zwave ? { zwaveShadows: zwave.shadows, zwaveKeypad: zwave.keypad } : {}, ...(options.clock && { clock: options.clock }) });
  const deps = app.deps;
  const { workspaceId, apiKey } = await ensureSandboxWorkspace(deps, options.apiKey, cfg.LATCHKEY_SANDBOX_FAILURE_RATE);
  const hub = zwaveModule && zwave && options.zwaveMockLocks ? await zwaveModule.attachMockHub(deps, zwave, workspaceId, options.zwaveMockLocks, cfg.LATCHKEY_STAGE) : undefined;
  if (hub) stops.unshift(hub.stop);
  const server = createLocalServer(await loadHandlers(deps), { corsOrigins: options.corsOrigins ?? [localhostOrigins], pages: consolePages() });

  const endpoint = cfg.LATCHKEY_DYNAMODB_ENDPOINT;
  const stream = cfg.LATCHKEY_STORE === 'dynamodb' && endpoint !== undefined ? { endpoint, client: localDynamoDbClient(endpoint), tableName, pollMs: options.streamPollMs ?? 200 } : undefined;
  const triggerStops = await startLocalTriggers(jobs, app, { tickSeconds: options.tickSeconds, ...(stream && { stream }) });
  stops.unshift(...triggerStops);
  const port = await listen(server, options.port);
  stops.unshift(() => new Promise<void>((done) => server.close(() => done())));
  server.on('connection', (socket) => socket.unref());

  return {
    url: `http://127.0.0.1:${port}`,
    storeDescription,
    workspaceId,
    apiKey,
    ...(hub && options.zwaveMockLocks && { zwave: { accountId: hub.accountId, locks: options.zwaveMockLocks, mqttUrl: hub.url } }),
    deps,
    config: cfg,
    server,
    async stop() {
      server.closeAllConnections();
      for (const stop of stops) await stop();
    },
  };
}

async function ensureSandboxWorkspace(deps: AppDeps, fixedKey: string | undefined, sandboxFailureRate: number) {
  const existing = (await deps.workspaces.list()).find((w) => w.is_sandbox);
  if (!existing) {
    const created = await createWorkspace(deps, { name: 'Sandbox', sandbox: true, apiKey: fixedKey, sandboxFailureRate });
    return { workspaceId: created.workspace.workspace_id, apiKey: created.api_key };
  }
  if (fixedKey === undefined) return { workspaceId: existing.workspace_id };
  const known = await deps.workspaces.findApiKeyByHash(hashApiKey(fixedKey));
  if (known && known.workspace_id !== existing.workspace_id) {
    throw new Error('LATCHKEY_API_KEY belongs to another workspace');
  }
  if (!known) await createApiKey(deps, existing.workspace_id, fixedKey);
  return { workspaceId: existing.workspace_id, apiKey: fixedKey };
}
