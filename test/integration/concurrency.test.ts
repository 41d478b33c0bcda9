import { loadConfig } from '../../lib/config';
import type { AppDeps } from '../../lib/deps';
import { buildDeps } from '../../lib/wiring/whole-app';
import { type TestTable, startTestTable } from '../support/dynamodb-local';
import { type TestHttpServer, startHttpServer } from '../support/http-server';
import { sandboxWorkspace } from '../support/memory-app';

/*
 * Concurrent requests on one code through the real HTTP server on DynamoDB Local, spread over
 * four servers with their own stores, as four Lambda instances would take them: independent
 * updates all apply one after another, concurrent deletes answer success or 404, concurrent
 * creates of one PIN leave exactly one code.
 */

let table: TestTable;
let deps: AppDeps;
let servers: TestHttpServer[] = [];
let ws: Awaited<ReturnType<typeof sandboxWorkspace>>;

beforeAll(async () => {
  table = await startTestTable();
  const app = () => buildDeps(loadConfig({ LATCHKEY_STORE: 'dynamodb', LATCHKEY_DYNAMODB_ENDPOINT: table.endpoint, LATCHKEY_TABLE_NAME: table.tableName, LOG_LEVEL: 'SILENT' }));
  deps = app();
  ws = await sandboxWorkspace(deps);
  servers = await Promise.all([deps, app(), app(), app()].map((instance) => startHttpServer(instance)));
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  await table?.stop();
});

let next = 0;

/** One request, to the next of the four servers in turn. */
async function call(path: string, body: object) {
  const server = servers[next++ % servers.length];
  if (!server) throw new Error('no server');
  const res = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ws.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: JSON.parse(await res.text()) };
}

function tally(statuses: number[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const status of statuses) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
}

describe('concurrent requests on one code (DynamoDB Local)', () => {
  it('applies every one of 100 concurrent renames, one after another', async () => {
    const created = await call('/access_codes/create', { device_id: ws.byType('kwikset_lock').device_id, name: 'first' });
    const id = created.body.access_code.access_code_id;
    const n = 100;
    const results = await Promise.all(Array.from({ length: n }, (_, i) => call('/access_codes/update', { access_code_id: id, name: `guest ${i}` })));
    expect(tally(results.map((r) => r.status))).toEqual({ 200: n });
    const record = await deps.accessCodes.get(ws.workspaceId, id);
    expect(record?.version).toBe(n);
    const changes = await deps.events.list(ws.workspaceId, { access_code_id: id, event_type: 'access_code.changed', limit: 1000 });
    expect(changes).toHaveLength(n);
    // The last rename to commit is the name the code keeps.
    const last = changes.reduce((a, b) => (a.created_at >= b.created_at ? a : b));
    expect(record?.access_code.name).toBe(last.changed_properties?.[0]?.to);
  });

  it('answers each of 60 concurrent deletes of a code on its lock with success, never a conflict', async () => {
    const created = await call('/access_codes/create', { device_id: ws.byType('kwikset_lock').device_id });
    const id = created.body.access_code.access_code_id;
    const results = await Promise.all(Array.from({ length: 60 }, () => call('/access_codes/delete', { access_code_id: id })));
    expect(tally(results.map((r) => r.status))).toEqual({ 200: 60 });
    expect((await deps.accessCodes.get(ws.workspaceId, id))?.access_code.status).toBe('removing');
  });

  it('answers each of 60 concurrent deletes of a code not yet on its lock with success or 404, never a conflict', async () => {
    const created = await call('/access_codes/create', {
      device_id: ws.byType('smartthings_lock').device_id,
      starts_at: new Date(Date.now() + 30 * 86_400_000).toISOString(),
      ends_at: new Date(Date.now() + 31 * 86_400_000).toISOString(),
    });
    const id = created.body.access_code.access_code_id;
    const results = await Promise.all(Array.from({ length: 60 }, () => call('/access_codes/delete', { access_code_id: id })));
    const statuses = tally(results.map((r) => r.status));
    expect(Object.keys(statuses).sort()).toEqual(['200', '404'].filter((s) => statuses[Number(s)] !== undefined));
    expect(statuses[200]).toBeGreaterThanOrEqual(1);
    expect(results.filter((r) => r.status === 404).every((r) => r.body.error.type === 'access_code_not_found')).toBe(true);
    expect(await deps.accessCodes.get(ws.workspaceId, id)).toBeUndefined();
  });

  it('creates exactly one of 40 concurrent codes with the same PIN on one lock', async () => {
    const device_id = ws.byType('kwikset_lock').device_id;
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => call('/access_codes/create', { device_id, code: '583920', name: `same pin ${i}` })));
    expect(tally(results.map((r) => r.status))).toEqual({ 200: 1, 409: 39 });
    expect(results.filter((r) => r.status === 409).every((r) => r.body.error.type === 'duplicate_access_code')).toBe(true);
    const listed = await call('/access_codes/list', { device_id });
    expect(listed.body.access_codes.filter((c: { code: string }) => c.code === '583920')).toHaveLength(1);
  });

  it('gives each of 40 concurrent creates without a PIN its own PIN', async () => {
    const device_id = ws.byType('igloohome_lock').device_id;
    const results = await Promise.all(Array.from({ length: 40 }, () => call('/access_codes/create', { device_id })));
    expect(tally(results.map((r) => r.status))).toEqual({ 200: 40 });
    expect(new Set(results.map((r) => r.body.access_code.code)).size).toBe(40);
  });
});
