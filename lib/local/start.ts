import { randomUUID } from 'node:crypto';
import type { SQSRecord } from 'aws-lambda';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Server } from 'node:http';
import { ensureTable, localDynamoDbClient } from '../adapters/dynamodb-table-setup';
import { config } from '../config';
import { type SeamEvent, workStartingEventTypes } from '../events/schemas';
import { appDeps, wireProcess } from '../deps';
import { createApiKey, createWorkspace, hashApiKey } from '../workspaces/workspaces';
import { startDynamoDbLocal } from './dynamodb-local';
import { consolePages } from '../console/console-pages';
import { localhostOrigins } from '../http/cors';
import { startStreamRelay } from './stream-relay';
import { publishStreamRecords } from '../adapters/dynamodb-event-stream';
import { logger } from '../logger';
import { createLocalServer, lambdaContext, listen, loadHandlers } from './server';

export interface LocalOptions {
  port: number;
  store: 'dynamodb' | 'memory';
  /** Where DynamoDB Local keeps its files; undefined keeps it in memory. */
  dataDir?: string;
  /** An existing DynamoDB (Local) endpoint to use instead of starting one. */
  dynamoDbEndpoint?: string;
  tableName: string;
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
}

export interface RunningLatchkey {
  url: string;
  storeDescription: string;
  workspaceId: string;
  /** The API key, when this start created or fixed it (keys are stored hashed, so only then). */
  apiKey?: string;
  /** The mock Z-Wave hub, when LATCHKEY_ZWAVE_MOCK_LOCKS asked for one. */
  zwave?: { accountId: string; locks: number; mqttUrl: string };
  server: Server;
  stop(): Promise<void>;
}

/**
 * Starts Latchkey locally: the store, the table, a sandbox workspace on first start, and the
 * real handlers behind a local HTTP server. The process environment is set for the handlers,
 * so one process runs one Latchkey.
 */
export async function startLocal(options: LocalOptions): Promise<RunningLatchkey> {
  const stops: (() => Promise<void>)[] = [];
  let storeDescription = 'in-memory store (LATCHKEY_STORE=memory): nothing is kept at exit';
  process.env.LATCHKEY_STORE = options.store;
  process.env.LATCHKEY_TABLE_NAME = options.tableName;
  if (options.store === 'dynamodb') {
    let endpoint = options.dynamoDbEndpoint;
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
    } else {
      storeDescription = `DynamoDB at ${endpoint} (LATCHKEY_DYNAMODB_ENDPOINT)`;
    }
    process.env.LATCHKEY_DYNAMODB_ENDPOINT = endpoint;
    await ensureTable(localDynamoDbClient(endpoint), options.tableName);
  }

  // Z-Wave is imported only when asked for, so a plain `npm start` loads none of it.
  const zwaveModule = options.zwaveMockLocks ? await import('./zwave/local-mode') : undefined;
  const zwave = zwaveModule && (await zwaveModule.startLocalZwave(options.store === 'dynamodb' && options.dynamoDbEndpoint === undefined ? options.dataDir : undefined));
  if (zwave) wireProcess({ zwaveShadows: zwave.shadows });

  const deps = appDeps();
  const { workspaceId, apiKey } = await ensureSandboxWorkspace(deps, options.apiKey);
  const hub = zwaveModule && zwave && options.zwaveMockLocks ? await zwaveModule.attachMockHub(deps, zwave, workspaceId, options.zwaveMockLocks) : undefined;
  if (hub) stops.unshift(hub.stop);
  const server = createLocalServer(await loadHandlers(), { corsOrigins: options.corsOrigins ?? [localhostOrigins], pages: consolePages() });

  // The same poller and worker handlers as in AWS: a timer stands in for the scheduled rule,
  // the in-process bus for the rule that starts lock work at once.
  const poller = (await import('../../functions/poll-pending-codes')).handler;
  const worker = (await import('../../functions/process-access-code')).handler;
  const startsWork = new Set<string>(workStartingEventTypes);
  deps.localBus?.subscribe(async (event) => {
    if (startsWork.has(event.event_type)) {
      await worker(busEnvelope(event), lambdaContext('process-access-code'));
    }
  });
  // Follow-ups: a code's next step runs when it falls due, as the SQS delay queue does in AWS.
  const followUps = (await import('../../functions/run-follow-ups')).handler;
  deps.localFollowUps?.subscribe(async (workspaceId, accessCodeId) => {
    const body = JSON.stringify({ workspace_id: workspaceId, access_code_id: accessCodeId });
    await followUps({ Records: [sqsRecord(body)] }, lambdaContext('run-follow-ups'));
  });
  // The outbox: events reach the bus from what the store committed, as the table's stream
  // feeds the publish-events function in AWS.
  const logPublishFailure = (error: unknown) => logger.error('publishing events failed', { error_name: error instanceof Error ? error.name : 'unknown' });
  const endpoint = process.env.LATCHKEY_DYNAMODB_ENDPOINT;
  if (options.store === 'dynamodb' && endpoint !== undefined) {
    const relay = startStreamRelay({
      endpoint,
      client: localDynamoDbClient(endpoint),
      tableName: options.tableName,
      handle: (records) => publishStreamRecords(deps.publisher, records, logPublishFailure),
      intervalMs: options.streamPollMs ?? 200,
      onError: logPublishFailure,
    });
    stops.unshift(relay.stop);
  }
  // Webhooks: the same fan-out and delivery handlers as in AWS, on the in-process bus and queue.
  const fanOut = (await import('../../functions/fan-out-webhooks')).handler;
  const deliver = (await import('../../functions/deliver-webhooks')).handler;
  deps.localBus?.subscribe(async (event) => {
    await fanOut(busEnvelope(event), lambdaContext('fan-out-webhooks'));
  });
  const stopDeliveries = deps.localDeliveries?.start(async (delivery) => {
    const { batchItemFailures } = await deliver({ Records: [sqsRecord(JSON.stringify(delivery))] }, lambdaContext('deliver-webhooks'));
    if (batchItemFailures.length > 0) throw new Error('delivery not handled');
  }, 1000);
  if (stopDeliveries) stops.unshift(async () => stopDeliveries());
  let ticking = false;
  const timer = setInterval(() => {
    if (ticking) return;
    ticking = true;
    // A publish that failed in memory mode is tried again on every tick.
    Promise.all([deps.outbox?.flush(), poller({}, lambdaContext('poll-pending-codes'))])
      .catch(() => {})
      .finally(() => {
        ticking = false;
      });
  }, options.tickSeconds * 1000);
  timer.unref();
  stops.unshift(async () => clearInterval(timer));
  // The daily rule in AWS: connected accounts sync at start and once a day.
  const accountSync = (await import('../../functions/sync-connected-accounts')).handler;
  const syncAccounts = () => accountSync({}, lambdaContext('sync-connected-accounts')).catch(() => {});
  void syncAccounts();
  const daily = setInterval(syncAccounts, 86_400_000);
  daily.unref();
  stops.unshift(async () => clearInterval(daily));
  const port = await listen(server, options.port);
  stops.unshift(() => new Promise<void>((done) => server.close(() => done())));
  server.on('connection', (socket) => socket.unref());

  return {
    url: `http://127.0.0.1:${port}`,
    storeDescription,
    workspaceId,
    apiKey,
    ...(hub && options.zwaveMockLocks && { zwave: { accountId: hub.accountId, locks: options.zwaveMockLocks, mqttUrl: hub.url } }),
    server,
    async stop() {
      server.closeAllConnections();
      for (const stop of stops) await stop();
    },
  };
}

async function ensureSandboxWorkspace(deps: ReturnType<typeof appDeps>, fixedKey: string | undefined) {
  const existing = (await deps.workspaces.list()).find((w) => w.is_sandbox);
  if (!existing) {
    const created = await createWorkspace(deps, { name: 'Sandbox', sandbox: true, apiKey: fixedKey, sandboxFailureRate: config().LATCHKEY_SANDBOX_FAILURE_RATE });
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

/** One message (a webhook delivery, a follow-up) as an SQS event source hands it to a function. */
function sqsRecord(body: string): SQSRecord {
  return {
    messageId: randomUUID(),
    receiptHandle: 'local',
    body,
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(Date.now()), SenderId: 'local', ApproximateFirstReceiveTimestamp: String(Date.now()) },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:local:000000000000:webhook-deliveries',
    awsRegion: 'local',
  };
}

/** An event as an EventBridge rule hands it to its target, for the handlers the local bus invokes. */
function busEnvelope(event: SeamEvent) {
  return {
    version: '0',
    id: event.event_id,
    'detail-type': event.event_type,
    source: 'latchkey',
    account: 'local',
    time: event.occurred_at,
    region: 'local',
    resources: [],
    detail: event,
  };
}
