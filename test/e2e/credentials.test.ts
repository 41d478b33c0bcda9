import { runInThisContext } from 'node:vm';
import { createPersonalAccessToken, createPublishableKey } from '../../lib/principals/credentials';
import { appDeps, type E2eServer, createOtherWorkspace, startE2eServer } from '../support/e2e-server';
import { pollUntil, rejectionOf } from './poll';

/*
 * Every way Seam's official clients authenticate, against the local server: API key, client
 * session token, publishable key (as Seam's React components sign in) and personal access
 * token, with and without a workspace. Both client generations; loaded by Node's own loader
 * as in seam-clients.ts.
 */
const nodeProcess = runInThisContext('process') as NodeJS.Process;
const nodeRequire = nodeProcess.getBuiltinModule('node:module').createRequire(__filename);
type Sdk = typeof import('seam-http-v2');
const generations: [string, () => Sdk][] = [
  ['@seamapi/http 1.102.0', () => nodeRequire('seam-http-v1') as Sdk],
  ['@seamapi/http 2.32.0', () => nodeRequire('seam-http-v2') as Sdk],
];

let server: E2eServer;
beforeAll(async () => {
  server = await startE2eServer();
}, 60_000);
afterAll(async () => server?.stop());

const ids = (devices: readonly { device_id: string }[]) => devices.map((d) => d.device_id).sort();

describe.each(generations)('%s', (_, load) => {
  const owner = () => new (load().SeamHttp)({ apiKey: server.apiKey, endpoint: server.url });

  it('SeamHttp.fromPersonalAccessToken acts in a workspace the token holds; without one it lists its workspaces', async () => {
    const { SeamHttp, SeamHttpWithoutWorkspace, SeamHttpUnauthorizedError } = load();
    const other = await createOtherWorkspace();
    const { personal_access_token } = await createPersonalAccessToken(appDeps(), { name: 'ops', workspaceIds: [server.workspaceId, other.workspaceId] });
    const here = SeamHttp.fromPersonalAccessToken(personal_access_token, server.workspaceId, { endpoint: server.url });
    expect(ids(await here.devices.list())).toEqual(ids(await owner().devices.list()));
    const there = SeamHttp.fromPersonalAccessToken(personal_access_token, other.workspaceId, { endpoint: server.url });
    expect(ids(await there.devices.list())).not.toEqual(ids(await here.devices.list()));

    const operator = SeamHttpWithoutWorkspace.fromPersonalAccessToken(personal_access_token, { endpoint: server.url });
    expect((await operator.workspaces.list()).map((w) => w.workspace_id).sort()).toEqual([server.workspaceId, other.workspaceId].sort());

    const { personal_access_token: narrow } = await createPersonalAccessToken(appDeps(), { name: 'one', workspaceIds: [server.workspaceId] });
    const refused = SeamHttp.fromPersonalAccessToken(narrow, other.workspaceId, { endpoint: server.url });
    expect(await rejectionOf(refused.devices.list())).toBeInstanceOf(SeamHttpUnauthorizedError);
  });

  it('a client session token sees only its granted lock, and stops working when revoked', async () => {
    const { SeamHttp, SeamHttpApiError, SeamHttpUnauthorizedError } = load();
    const seam = owner();
    const [granted, hidden] = await seam.devices.list();
    if (!granted || !hidden) throw new Error('expected sandbox locks');
    const session = await seam.clientSessions.create({ user_identifier_key: `guest-${Date.now()}-${Math.random()}`, device_ids: [granted.device_id] } as never);
    const guest = SeamHttp.fromClientSessionToken(session.token, { endpoint: server.url });

    expect(ids(await guest.devices.list())).toEqual([granted.device_id]);
    const notFound = await rejectionOf(guest.devices.get({ device_id: hidden.device_id }));
    expect(notFound).toBeInstanceOf(SeamHttpApiError);
    expect(notFound).toMatchObject({ code: 'device_not_found', statusCode: 404 });
    expect(await rejectionOf(guest.accessCodes.create({ device_id: hidden.device_id }))).toMatchObject({ code: 'device_not_found' });

    const code = await guest.accessCodes.create({ device_id: granted.device_id, name: 'Guest' });
    await pollUntil(
      'the guest code to be set',
      () => guest.accessCodes.get({ access_code_id: code.access_code_id }),
      (c) => c.status === 'set',
    );
    expect((await guest.accessCodes.list({ device_id: granted.device_id })).map((c) => c.access_code_id)).toContain(code.access_code_id);
    expect((await guest.clientSessions.get()).client_session_id).toBe(session.client_session_id);

    await seam.clientSessions.revoke({ client_session_id: session.client_session_id });
    expect(await rejectionOf(guest.devices.list())).toBeInstanceOf(SeamHttpUnauthorizedError);
  });

  it('SeamHttp.fromPublishableKey signs a browser in as its user, who sees what the owner granted', async () => {
    const { SeamHttp, SeamHttpUnauthorizedError } = load();
    const { publishable_key } = await createPublishableKey(appDeps(), server.workspaceId);
    const user = `user-${Date.now()}-${Math.random()}`;
    const browser = await SeamHttp.fromPublishableKey(publishable_key, user, { endpoint: server.url });
    expect(await browser.devices.list()).toEqual([]);

    const [lock] = await owner().devices.list();
    if (!lock) throw new Error('expected a sandbox lock');
    await owner().clientSessions.grantAccess({ user_identifier_key: user, device_ids: [lock.device_id] } as never);
    expect(ids(await browser.devices.list())).toEqual([lock.device_id]);
    const again = await SeamHttp.fromPublishableKey(publishable_key, user, { endpoint: server.url });
    expect(ids(await again.devices.list())).toEqual([lock.device_id]);

    const forged = `seam_pk1${'A'.repeat(32)}`;
    expect(await rejectionOf(SeamHttp.fromPublishableKey(forged, user, { endpoint: server.url }))).toBeInstanceOf(SeamHttpUnauthorizedError);
  });
});

describe('CORS for browsers on another local port', () => {
  it('answers the preflight of a client-session request and marks the response readable', async () => {
    const origin = 'http://localhost:5173';
    const preflight = await fetch(`${server.url}/devices/list`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization,client-session-token,seam-sdk-name,seam-sdk-version' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(origin);
    expect(preflight.headers.get('access-control-allow-credentials')).toBe('true');
    expect(preflight.headers.get('access-control-allow-headers')).toEqual(expect.stringContaining('client-session-token'));

    const res = await fetch(`${server.url}/devices/list`, { headers: { origin, authorization: `Bearer ${server.apiKey}` } });
    expect(res.headers.get('access-control-allow-origin')).toBe(origin);
    expect(res.headers.get('access-control-expose-headers')).toBe('seam-request-id');
  });

  it('gives a foreign origin no CORS headers', async () => {
    const res = await fetch(`${server.url}/devices/list`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' } });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});
