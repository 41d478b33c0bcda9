import { callersOf, routes } from '../../lib/http/routes';
import type { CallerKind } from '../../lib/principals/principal';
import { credentialsFor, routeHandlers } from '../support/credentials';
import { invoke, memoryApp, sandboxWorkspace } from '../support/memory-app';

const kinds: CallerKind[] = ['api_key', 'personal_access_token', 'personal_access_token_without_workspace', 'client_session', 'publishable_key'];
const unauthorized = { error: expect.objectContaining({ type: 'unauthorized' }), ok: false };

async function setup() {
  const app = memoryApp();
  const ws = await sandboxWorkspace(app.deps);
  const granted = ws.byType('kwikset_lock');
  const hidden = ws.byType('schlage_lock');
  const creds = await credentialsFor(app.deps, ws, [granted.device_id]);
  const handlers = await routeHandlers(app.deps);
  const callWith = (path: string, headers: Record<string, string>, body: object = {}, method = 'POST') => {
    const handler = handlers.get(path);
    if (!handler) throw new Error(`no handler for ${path}`);
    return invoke(handler, { method, path, body, headers });
  };
  const call = (path: string, kind: CallerKind, body: object = {}, method = 'POST') => callWith(path, creds.headers[kind], body, method);
  return { ...app, ws, granted, hidden, creds, call, callWith };
}

describe('every credential on every route', () => {
  // Routes that take no credential (Seam's signed webhooks in) have their own tests.
  it.each(routes.filter((route) => callersOf(route).length > 0).flatMap((route) => kinds.map((kind) => [route.path, kind, callersOf(route).includes(kind)] as const)))(
    '%s with %s: admitted = %s',
    async (path, kind, admitted) => {
      const { call } = await setup();
      const method = (routes.find((r) => r.path === path)?.methods as readonly string[] | undefined)?.includes('POST') ? 'POST' : 'PUT';
      const res = await call(path, kind, {}, method);
      if (admitted) expect(res.status).not.toBe(401);
      else expect(res).toMatchObject({ status: 401, body: unauthorized });
    },
  );
});

describe('a client session token', () => {
  it('sees only its granted devices, on every device-scoped route', async () => {
    const { call, granted, hidden } = await setup();
    const listed = await call('/devices/list', 'client_session');
    expect(listed.body.devices.map((d: { device_id: string }) => d.device_id)).toEqual([granted.device_id]);
    const notFound = { error: expect.objectContaining({ type: 'device_not_found' }), ok: false };
    expect((await call('/devices/get', 'client_session', { device_id: hidden.device_id })).body).toEqual(notFound);
    expect((await call('/access_codes/create', 'client_session', { device_id: hidden.device_id })).body).toEqual(notFound);
    expect((await call('/access_codes/generate_code', 'client_session', { device_id: hidden.device_id })).body).toEqual(notFound);
    expect((await call('/access_codes/list', 'client_session', { device_id: hidden.device_id })).body).toEqual(notFound);
    expect((await call('/devices/simulate/disconnect', 'client_session', { device_id: hidden.device_id })).body).toEqual(notFound);

    const theirs = await call('/access_codes/create', 'api_key', { device_id: hidden.device_id });
    const mine = await call('/access_codes/create', 'client_session', { device_id: granted.device_id });
    expect(mine.status).toBe(200);
    const codes = await call('/access_codes/list', 'client_session');
    expect(codes.body.access_codes.map((c: { access_code_id: string }) => c.access_code_id)).toEqual([mine.body.access_code.access_code_id]);
    const theirId = theirs.body.access_code.access_code_id;
    expect((await call('/access_codes/get', 'client_session', { access_code_id: theirId })).status).toBe(404);
    expect((await call('/access_codes/update', 'client_session', { access_code_id: theirId, name: 'mine now' })).status).toBe(404);
    expect((await call('/access_codes/delete', 'client_session', { access_code_id: theirId })).status).toBe(404);
    expect((await call('/action_attempts/get', 'client_session', { action_attempt_id: theirs.body.action_attempt.action_attempt_id })).status).toBe(404);
    const events = await call('/events/list', 'client_session', { since: '2000-01-01T00:00:00Z' });
    expect(new Set(events.body.events.map((e: { device_id: string }) => e.device_id))).toEqual(new Set([granted.device_id]));
  });

  it('gets its own session, with the token it sent, and no other', async () => {
    const { call, creds } = await setup();
    const own = await call('/client_sessions/get', 'client_session');
    expect(own.body.client_session).toMatchObject({ client_session_id: creds.session.client_session_id, token: creds.session.token, user_identifier_key: 'guest-1', device_count: 1 });
    expect((await call('/client_sessions/get', 'client_session', { client_session_id: '00000000-0000-4000-8000-000000000000' })).status).toBe(404);
  });

  it('is refused at once when revoked or expired, with no cache delay', async () => {
    const { call, callWith, creds, clock } = await setup();
    expect((await call('/devices/list', 'client_session')).status).toBe(200);
    expect((await call('/client_sessions/revoke', 'api_key', { client_session_id: creds.session.client_session_id })).status).toBe(200);
    expect(await call('/devices/list', 'client_session')).toMatchObject({ status: 401, body: unauthorized });

    const fresh = await call('/client_sessions/create', 'api_key', { user_identifier_key: 'guest-2', expires_at: new Date(clock.now().getTime() + 60_000).toISOString() });
    const bearer = { authorization: `Bearer ${fresh.body.client_session.token}` };
    expect((await callWith('/devices/list', bearer)).status).toBe(200);
    clock.advance(61_000);
    expect(await callWith('/devices/list', bearer)).toMatchObject({ status: 401, body: unauthorized });
  });

  it('is refused when tampered with, or when its echo header differs', async () => {
    const { callWith, creds } = await setup();
    const token = creds.session.token;
    const tampered = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    expect((await callWith('/devices/list', { authorization: `Bearer ${tampered}` })).status).toBe(401);
    expect((await callWith('/devices/list', { authorization: `Bearer ${token}`, 'client-session-token': tampered })).status).toBe(401);
  });

  it('sees devices granted later, on its next request', async () => {
    const { call, creds, hidden } = await setup();
    expect((await call('/devices/get', 'client_session', { device_id: hidden.device_id })).status).toBe(404);
    const granted = await call('/client_sessions/grant_access', 'api_key', { user_identifier_key: 'guest-1', device_ids: [hidden.device_id] }, 'PATCH');
    expect(granted.body.client_session).toMatchObject({ client_session_id: creds.session.client_session_id, device_count: 2 });
    expect((await call('/devices/get', 'client_session', { device_id: hidden.device_id })).status).toBe(200);
  });
});

describe('a publishable key', () => {
  it('opens one session per user_identifier_key, with a working token each time', async () => {
    const { call, callWith, granted } = await setup();
    const first = await call('/client_sessions/get_or_create', 'publishable_key', { user_identifier_key: 'browser-user' });
    expect(first.body.client_session).toMatchObject({ user_identifier_key: 'browser-user', device_count: 0, token: expect.stringMatching(/^seam_cst1/) });
    const again = await call('/client_sessions/get_or_create', 'publishable_key', { user_identifier_key: 'browser-user' });
    expect(again.body.client_session.client_session_id).toBe(first.body.client_session.client_session_id);
    expect(again.body.client_session.token).not.toBe(first.body.client_session.token);

    // The operator's backend grants the user's devices; both tokens see them.
    await call('/client_sessions/grant_access', 'api_key', { user_identifier_key: 'browser-user', device_ids: [granted.device_id] });
    for (const token of [first.body.client_session.token, again.body.client_session.token]) {
      const listed = await callWith('/devices/list', { authorization: `Bearer ${token}`, 'client-session-token': token });
      expect(listed.body.devices.map((d: { device_id: string }) => d.device_id)).toEqual([granted.device_id]);
    }
  });

  it('cannot grant devices, and reaches nothing but client sessions', async () => {
    const { call, granted } = await setup();
    const res = await call('/client_sessions/get_or_create', 'publishable_key', { user_identifier_key: 'u', device_ids: [granted.device_id] });
    expect(res.status).toBe(400);
    expect(res.body.error.validation_errors).toMatchObject({ device_ids: expect.anything() });
    expect((await call('/devices/list', 'publishable_key')).status).toBe(401);
  });

  it('is refused when unknown', async () => {
    const { callWith } = await setup();
    const res = await callWith('/client_sessions/get_or_create', { 'seam-publishable-key': 'seam_pk1AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }, { user_identifier_key: 'u' });
    expect(res).toMatchObject({ status: 401, body: unauthorized });
  });
});

describe('a personal access token', () => {
  it('acts in a workspace it holds, and in no other', async () => {
    const { deps, call, callWith, creds } = await setup();
    expect((await call('/devices/list', 'personal_access_token')).body.devices.length).toBeGreaterThan(1);
    const other = await sandboxWorkspace(deps, 'Other');
    const elsewhere = await callWith('/devices/list', { authorization: `Bearer ${creds.pat.personal_access_token}`, 'seam-workspace': other.workspaceId });
    expect(elsewhere).toMatchObject({ status: 401, body: unauthorized });
  });

  it("without seam-workspace lists and gets its workspaces in Seam's shape, and nothing else", async () => {
    const { ws, call } = await setup();
    const listed = await call('/workspaces/list', 'personal_access_token_without_workspace');
    expect(listed.body.workspaces).toEqual([
      {
        workspace_id: ws.workspaceId,
        name: 'Test',
        company_name: 'Test',
        is_sandbox: true,
        is_suspended: false,
        connect_partner_name: null,
        connect_webview_customization: {},
        is_publishable_key_auth_enabled: true,
        organization_id: null,
      },
    ]);
    expect((await call('/workspaces/get', 'personal_access_token_without_workspace')).body.workspace.workspace_id).toBe(ws.workspaceId);
    expect((await call('/devices/list', 'personal_access_token_without_workspace')).status).toBe(401);
  });

  it('stops working when revoked', async () => {
    const { deps, call, creds } = await setup();
    expect(await deps.credentials.revokePersonalAccessToken(creds.pat.personal_access_token_id)).toBe(true);
    expect((await call('/devices/list', 'personal_access_token')).status).toBe(401);
  });
});

describe('an API key', () => {
  it('is refused with a seam-workspace header naming another workspace', async () => {
    const { ws, callWith } = await setup();
    const res = await callWith('/devices/list', { authorization: `Bearer ${ws.apiKey}`, 'seam-workspace': '00000000-0000-4000-8000-000000000000' });
    expect(res.status).toBe(401);
  });
});
