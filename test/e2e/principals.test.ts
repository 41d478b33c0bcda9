import { runInThisContext } from 'node:vm';
import { callersOf, routes } from '../../lib/http/routes';
import { getOrCreateClientSession } from '../../lib/principals/client-sessions';
import { createPersonalAccessToken, createPublishableKey } from '../../lib/principals/credentials';
import type { CallerKind } from '../../lib/principals/principal';
import { workspacePrincipal } from '../../lib/principals/principal';
import { getOrCreateClientSessionInputSchema } from '../../lib/principals/schemas';
import { appDeps, type E2eServer, startE2eServer } from '../support/e2e-server';
import { pollUntil, rejectionOf } from './poll';

/*
 * Every kind of caller on every route of the real local server (HTTP, DynamoDB Local), and
 * the official client working as each principal: an API key, a personal access token with a
 * workspace, and a client session granted two of the sandbox locks, which must never see
 * the others.
 */
const nodeProcess = runInThisContext('process') as NodeJS.Process;
const nodeRequire = nodeProcess.getBuiltinModule('node:module').createRequire(__filename);
type Sdk = typeof import('seam-http-v2');
type Client = InstanceType<Sdk['SeamHttp']>;

let server: E2eServer;
let headers: Record<CallerKind, Record<string, string>>;
let granted: string[];
let hidden: string[];
let clients: Record<'api_key' | 'personal_access_token' | 'client_session', Client>;

beforeAll(async () => {
  server = await startE2eServer();
  const deps = appDeps();
  const locks = await deps.devices.list(server.workspaceId, { limit: 100 });
  granted = locks.filter((d) => ['Back Door', 'Garage'].includes(d.device.display_name)).map((d) => d.device.device_id);
  hidden = locks.map((d) => d.device.device_id).filter((id) => !granted.includes(id));
  const { personal_access_token } = await createPersonalAccessToken(deps, { name: 'matrix', workspaceIds: [server.workspaceId] });
  const { publishable_key } = await createPublishableKey(deps, server.workspaceId);
  const session = await getOrCreateClientSession(deps, workspacePrincipal(server.workspaceId), getOrCreateClientSessionInputSchema.parse({ user_identifier_key: 'matrix-guest', device_ids: granted }));
  headers = {
    api_key: { authorization: `Bearer ${server.apiKey}` },
    personal_access_token: { authorization: `Bearer ${personal_access_token}`, 'seam-workspace': server.workspaceId },
    personal_access_token_without_workspace: { authorization: `Bearer ${personal_access_token}` },
    client_session: { authorization: `Bearer ${session.token}`, 'client-session-token': session.token },
    publishable_key: { 'seam-publishable-key': publishable_key },
  };
  const { SeamHttp } = nodeRequire('seam-http-v2') as Sdk;
  clients = {
    api_key: new SeamHttp({ apiKey: server.apiKey, endpoint: server.url }),
    personal_access_token: SeamHttp.fromPersonalAccessToken(personal_access_token, server.workspaceId, { endpoint: server.url }),
    client_session: SeamHttp.fromClientSessionToken(session.token, { endpoint: server.url }),
  };
}, 60_000);
afterAll(async () => server?.stop());

const kinds: CallerKind[] = ['api_key', 'personal_access_token', 'personal_access_token_without_workspace', 'client_session', 'publishable_key'];

describe('every caller on every route, over HTTP', () => {
  const cases = routes.filter((r) => callersOf(r).length > 0).flatMap((r) => kinds.map((kind) => [r.path, kind, callersOf(r).includes(kind), String(r.methods[0])] as const));
  it.each(cases)('%s with %s: admitted = %s', async (path, kind, admitted, method) => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: { ...headers[kind], ...(method !== 'GET' && method !== 'DELETE' && { 'content-type': 'application/json' }) },
      ...(method !== 'GET' && method !== 'DELETE' && { body: '{}' }),
    });
    const body: unknown = await res.json();
    if (admitted) expect(res.status).not.toBe(401);
    else expect({ status: res.status, body }).toEqual({ status: 401, body: { error: expect.objectContaining({ type: 'unauthorized' }), ok: false } });
  });
});

const ids = (items: readonly { device_id: string }[]) => [...new Set(items.map((i) => i.device_id))].sort();

describe.each(['api_key', 'personal_access_token', 'client_session'] as const)('the official client as %s', (kind) => {
  it('lists, reads, creates, updates and deletes codes on a granted lock, and follows its action attempts and events', async () => {
    const seam = clients[kind];
    const visible = ids(await seam.devices.list());
    expect(visible).toEqual(kind === 'client_session' ? [...granted].sort() : [...granted, ...hidden].sort());
    const [lock] = granted;
    if (!lock) throw new Error('no granted lock');
    expect((await seam.devices.get({ device_id: lock })).device_id).toBe(lock);
    const since = new Date(Date.now() - 1000).toISOString();
    const { code: pin } = await seam.accessCodes.generateCode({ device_id: lock });
    const code = await seam.accessCodes.create({ device_id: lock, name: `By ${kind}`, code: pin ?? undefined });
    expect((await seam.accessCodes.get({ access_code_id: code.access_code_id })).name).toBe(`By ${kind}`);
    expect((await seam.accessCodes.list({ device_id: lock })).map((c) => c.access_code_id)).toContain(code.access_code_id);
    await seam.accessCodes.update({ access_code_id: code.access_code_id, name: `Renamed by ${kind}` });
    await pollUntil(
      'the code set',
      () => seam.accessCodes.get({ access_code_id: code.access_code_id }),
      (c) => c.status === 'set',
    );
    const events = await seam.events.list({ since, access_code_id: code.access_code_id });
    expect(events.map((e) => e.event_type)).toContain('access_code.set_on_device');
    const [event] = events;
    if (event) expect((await seam.events.get({ event_id: event.event_id })).event_id).toBe(event.event_id);
    await seam.accessCodes.delete({ access_code_id: code.access_code_id });
    await pollUntil(
      'the code gone',
      () => seam.accessCodes.list({ device_id: lock }),
      (codes) => !codes.some((c) => c.access_code_id === code.access_code_id),
    );
  });

  it('sees only what it may: a client session gets device_not_found for every other lock, lists included', async () => {
    const seam = clients[kind];
    const [other] = hidden;
    if (!other) throw new Error('no other lock');
    const [lock] = granted;
    if (!lock) throw new Error('no granted lock');
    const theirs = await clients.api_key.accessCodes.create({ device_id: other, name: 'Not for guests' });
    const mine = await clients.api_key.accessCodes.create({ device_id: lock, name: 'For guests' });
    const listed = await seam.accessCodes.list({ access_code_ids: [theirs.access_code_id, mine.access_code_id] });
    const everyEvent = await seam.events.list({ since: new Date(Date.now() - 600_000).toISOString() });
    if (kind !== 'client_session') {
      expect(listed.map((c) => c.access_code_id).sort()).toEqual([theirs.access_code_id, mine.access_code_id].sort());
      expect(everyEvent.some((e) => 'device_id' in e && e.device_id === other)).toBe(true);
      return;
    }
    expect(listed.map((c) => c.access_code_id)).toEqual([mine.access_code_id]);
    expect(everyEvent.length).toBeGreaterThan(0);
    expect(everyEvent.every((e) => 'device_id' in e && typeof e.device_id === 'string' && granted.includes(e.device_id))).toBe(true);
    const notFound = { code: 'device_not_found', statusCode: 404 };
    expect(await rejectionOf(seam.devices.get({ device_id: other }))).toMatchObject(notFound);
    expect(await rejectionOf(seam.accessCodes.create({ device_id: other }))).toMatchObject(notFound);
    expect(await rejectionOf(seam.accessCodes.generateCode({ device_id: other }))).toMatchObject(notFound);
    expect(await rejectionOf(seam.accessCodes.list({ device_id: other }))).toMatchObject(notFound);
    expect(await rejectionOf(seam.devices.simulate.disconnect({ device_id: other }))).toMatchObject(notFound);
    expect(await seam.devices.list({ device_ids: [other] })).toEqual([]);
    expect(await rejectionOf(seam.accessCodes.get({ access_code_id: theirs.access_code_id }))).toMatchObject({ code: 'access_code_not_found' });
    expect(await rejectionOf(seam.accessCodes.delete({ access_code_id: theirs.access_code_id }))).toMatchObject({ code: 'access_code_not_found' });
    expect(await rejectionOf(seam.webhooks.list())).toMatchObject({ statusCode: 401 });
  });
});
