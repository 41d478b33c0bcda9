import { execFile } from 'node:child_process';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { promisify } from 'node:util';
import { loadConfig } from '../../lib/config';
import type { AppDeps } from '../../lib/deps';
import { buildDeps } from '../../lib/wiring/whole-app';
import { idempotencyKeyLifetimeMs, idempotencyLeaseMs } from '../../lib/idempotency/schemas';
import { type TestTable, startTestTable } from '../support/dynamodb-local';
import { type TestHttpServer, startHttpServer } from '../support/http-server';
import { ManualClock, sandboxWorkspace } from '../support/memory-app';

/*
 * Idempotency-Key on DynamoDB Local, through the real HTTP server: four servers with their own
 * stores (four Lambda instances) on one table, each with a clock the test moves.
 */

let table: TestTable;
let clock: ManualClock;
let deps: AppDeps;
let servers: TestHttpServer[] = [];
let ws: Awaited<ReturnType<typeof sandboxWorkspace>>;

beforeAll(async () => {
  table = await startTestTable();
  clock = new ManualClock(new Date());
  const app = () => buildDeps(loadConfig({ LATCHKEY_STORE: 'dynamodb', LATCHKEY_DYNAMODB_ENDPOINT: table.endpoint, LATCHKEY_TABLE_NAME: table.tableName, LOG_LEVEL: 'SILENT' }), { clock });
  deps = app();
  ws = await sandboxWorkspace(deps);
  servers = await Promise.all([deps, app(), app(), app()].map((instance) => startHttpServer(instance)));
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  await table?.stop();
});

let next = 0;

const create = (key: string, body: object, apiKey = ws.apiKey) => send('/access_codes/create', key, body, apiKey);

async function send(path: string, key: string, body: object, apiKey = ws.apiKey) {
  const server = servers[next++ % servers.length];
  if (!server) throw new Error('no server');
  const res = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', 'idempotency-key': key },
    body: JSON.stringify(body),
  });
  return { status: res.status, replayed: res.headers.get('idempotent-replayed'), body: JSON.parse(await res.text()) };
}

/** Runs `path` with `body` under `key` in a child process SIGKILLed right after its write committed; the answer it was about to give. */
async function killedAfterCommit(path: string, key: string, body: object) {
  const { stdout } = await promisify(execFile)(process.execPath, [
    '--import',
    'tsx',
    'test/support/crash-after-commit.ts',
    table.endpoint,
    table.tableName,
    ws.workspaceId,
    key,
    path,
    JSON.stringify(body),
  ]).catch((error: { stdout: string; signal: string }) => {
    expect(error.signal).toBe('SIGKILL');
    return error;
  });
  return JSON.parse(stdout);
}

/** Past the lease of a process that took its key on the real clock. */
const pastKilledLease = () => clock.set(new Date(Date.now() + idempotencyLeaseMs).toISOString());

const codesOn = async (workspaceId: string, deviceId: string) => (await deps.accessCodes.list(workspaceId, { deviceId, limit: 1000 })).items;

describe('Idempotency-Key on DynamoDB Local', () => {
  it('gives exactly one code for 50 concurrent creates with one key', async () => {
    const device = ws.byType('yale_lock');
    const answers = await Promise.all(Array.from({ length: 50 }, () => create('burst', { device_id: device.device_id, name: 'Burst' })));
    const created = answers.filter((a) => a.status === 200);
    const ids = new Set(created.map((a) => a.body.access_code.access_code_id));
    expect(ids.size).toBe(1);
    expect(answers.every((a) => a.status === 200 || (a.status === 409 && a.body.error.type === 'idempotency_key_in_use'))).toBe(true);
    expect(await codesOn(ws.workspaceId, device.device_id)).toHaveLength(1);
    const retry = await create('burst', { device_id: device.device_id, name: 'Burst' });
    expect(retry).toMatchObject({ status: 200, replayed: 'true', body: { access_code: { access_code_id: [...ids][0] } } });

    // The table holds the key's digest and the answer sealed: neither the key nor the answer (its code, its PIN) in clear.
    const stored = await table.client.send(new ScanCommand({ TableName: table.tableName, FilterExpression: 'begins_with(sk, :idem)', ExpressionAttributeValues: { ':idem': { S: 'IDEM#' } } }));
    const text = JSON.stringify(stored.Items);
    expect(stored.Items?.length).toBeGreaterThan(0);
    expect(text).not.toContain('burst');
    expect(text).not.toContain('access_code');
  });

  it('answers a retry with the code of a process killed after its commit and before its answer', async () => {
    const device = ws.byType('kwikset_lock');
    const killed = await killedAfterCommit('/access_codes/create', 'crash-1', { device_id: device.device_id, name: 'Guest' });
    const killedId = killed.access_code.access_code_id;
    expect(killedId).toMatch(/^[0-9a-f-]{36}$/);
    // Within the dead request's lease the key reads as in use; past it, its committed write answers.
    expect((await create('crash-1', { device_id: device.device_id, name: 'Guest' })).status).toBe(409);
    pastKilledLease();
    const retry = await create('crash-1', { device_id: device.device_id, name: 'Guest' });
    expect(retry).toMatchObject({ status: 200, replayed: 'true', body: { access_code: { access_code_id: killedId, name: 'Guest' }, action_attempt: { status: 'pending' } } });
    expect((await codesOn(ws.workspaceId, device.device_id)).map((c) => c.access_code.access_code_id)).toEqual([killedId]);
  });

  it('answers a retry with the token of a client session created by a process killed after its commit', async () => {
    const body = { user_identifier_key: 'guest-crash' };
    const killed = await killedAfterCommit('/client_sessions/create', 'crash-session', body);
    expect(killed.client_session.token).toMatch(/^seam_cst/);
    expect((await send('/client_sessions/create', 'crash-session', body)).status).toBe(409);
    pastKilledLease();
    const retry = await send('/client_sessions/create', 'crash-session', body);
    // The token was shown once and is stored only hashed: the key's sealed answer gives it again, and it works.
    expect(retry).toMatchObject({ status: 200, replayed: 'true', body: { client_session: killed.client_session } });
    expect((await deps.clientSessions.list(ws.workspaceId)).filter((s) => s.user_identifier_key === 'guest-crash').map((s) => s.client_session_id)).toEqual([killed.client_session.client_session_id]);
    const server = servers[0];
    if (!server) throw new Error('no server');
    const own = await fetch(`${server.url}/client_sessions/get`, {
      method: 'POST',
      headers: { authorization: `Bearer ${retry.body.client_session.token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(own.status).toBe(200);
  });

  it('answers a retry with the secret of a webhook created by a process killed after its commit', async () => {
    const body = { url: 'https://example.com/hooks/crash' };
    const killed = await killedAfterCommit('/webhooks/create', 'crash-webhook', body);
    expect(killed.webhook.secret).toMatch(/^whsec_/);
    expect((await send('/webhooks/create', 'crash-webhook', body)).status).toBe(409);
    pastKilledLease();
    const retry = await send('/webhooks/create', 'crash-webhook', body);
    expect(retry).toMatchObject({ status: 200, replayed: 'true', body: { webhook: killed.webhook } });
    expect((await deps.webhooks.list(ws.workspaceId)).filter((w) => w.url === body.url).map((w) => w.webhook_id)).toEqual([killed.webhook.webhook_id]);
    // The table's key item holds the secret sealed, never in clear.
    const stored = await table.client.send(new ScanCommand({ TableName: table.tableName, FilterExpression: 'begins_with(sk, :idem)', ExpressionAttributeValues: { ':idem': { S: 'IDEM#' } } }));
    expect(JSON.stringify(stored.Items)).not.toContain(killed.webhook.secret);
  });

  it('forgets a key after 24 hours, before the table TTL removes it', async () => {
    const device = ws.byType('schlage_lock');
    const first = await create('daily', { device_id: device.device_id });
    clock.advance(idempotencyKeyLifetimeMs);
    const later = await create('daily', { device_id: device.device_id });
    expect(later.status).toBe(200);
    expect(later.replayed).toBeNull();
    expect(later.body.access_code.access_code_id).not.toBe(first.body.access_code.access_code_id);
    const item = await deps.idempotencyKeys.claim({ workspaceId: ws.workspaceId, key: 'daily', fingerprint: 'other', token: 't', now: clock.now().toISOString() });
    expect(item).toEqual({ kind: 'reused' });
  });

  it('lets a key go after a fault before any write, and ignores the answer of a request that lost its key', async () => {
    const claim = (token: string) => ({ workspaceId: ws.workspaceId, key: `fault-${token}`, fingerprint: 'f', token, now: clock.now().toISOString() });
    expect(await deps.idempotencyKeys.claim(claim('a'))).toEqual({ kind: 'claimed' });
    await deps.idempotencyKeys.release(claim('a'));
    expect(await deps.idempotencyKeys.claim({ ...claim('a'), token: 'b' })).toEqual({ kind: 'claimed' });
    // Request `a` no longer holds the key: its answer and its release change nothing.
    await deps.idempotencyKeys.keepAnswer(claim('a'), { status: 200, body: { ok: true } });
    await deps.idempotencyKeys.release(claim('a'));
    expect(await deps.idempotencyKeys.claim({ ...claim('a'), token: 'c' })).toEqual({ kind: 'in_use' });
    await deps.idempotencyKeys.keepAnswer({ ...claim('a'), token: 'b' }, { status: 201, body: { ok: true } });
    expect(await deps.idempotencyKeys.claim({ ...claim('a'), token: 'd' })).toEqual({ kind: 'replay', answer: { status: 201, body: { ok: true } } });
  });

  it('never lets one workspace see another workspace key', async () => {
    const other = await sandboxWorkspace(deps, 'Other');
    const [mine, theirs] = await Promise.all([
      create('same-key', { device_id: ws.byType('igloohome_lock').device_id }),
      create('same-key', { device_id: other.byType('igloohome_lock').device_id }, other.apiKey),
    ]);
    expect([mine.status, theirs.status]).toEqual([200, 200]);
    expect([mine.replayed, theirs.replayed]).toEqual([null, null]);
    expect(theirs.body.access_code.workspace_id).toBe(other.workspaceId);
    expect(mine.body.access_code.workspace_id).toBe(ws.workspaceId);
  });
});
