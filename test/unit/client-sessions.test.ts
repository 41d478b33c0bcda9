import { AppError } from '../../lib/errors';
import { createClientSession, getOrCreateClientSession } from '../../lib/principals/client-sessions';
import { createClientSessionInputSchema } from '../../lib/principals/schemas';
import { memoryApp, sandboxWorkspace } from '../support/memory-app';

const input = (raw: Record<string, unknown>) => createClientSessionInputSchema.parse(raw);
const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => (e instanceof AppError ? { type: e.type, status: e.statusCode, ...e.extra } : e),
  );

async function setup() {
  const app = memoryApp();
  const ws = await sandboxWorkspace(app.deps);
  return { ...app, ws };
}

describe('client sessions', () => {
  it('get_or_create called concurrently for one key ends with one session', async () => {
    const { deps, ws } = await setup();
    const all = await Promise.all(Array.from({ length: 8 }, () => getOrCreateClientSession(deps, ws.principal, input({ user_identifier_key: 'same' }))));
    expect(new Set(all.map((s) => s.client_session_id)).size).toBe(1);
    expect(new Set(all.map((s) => s.token)).size).toBe(8);
    expect(await deps.clientSessions.list(ws.workspaceId)).toHaveLength(1);
  });

  it('opens a new session for a key whose session expired', async () => {
    const { deps, ws, clock } = await setup();
    const first = await getOrCreateClientSession(deps, ws.principal, input({ user_identifier_key: 'k' }));
    expect(first.expires_at).toBe(new Date(clock.now().getTime() + 24 * 3_600_000).toISOString());
    clock.advance(24 * 3_600_000 + 1);
    const second = await getOrCreateClientSession(deps, ws.principal, input({ user_identifier_key: 'k' }));
    expect(second.client_session_id).not.toBe(first.client_session_id);
    expect(await deps.clientSessions.get(ws.workspaceId, first.client_session_id)).toBeUndefined();
  });

  it('refuses a second live session for one key on create, and grants of unknown devices', async () => {
    const { deps, ws } = await setup();
    await createClientSession(deps, ws.principal, input({ user_identifier_key: 'k' }));
    expect(await rejection(createClientSession(deps, ws.principal, input({ user_identifier_key: 'k' })))).toMatchObject({ status: 409 });
    expect(await rejection(createClientSession(deps, ws.principal, input({ device_ids: ['00000000-0000-4000-8000-000000000000'] })))).toMatchObject({ type: 'device_not_found' });
  });

  it('names expires_at when it is past or more than a year away', async () => {
    const { deps, ws, clock } = await setup();
    const at = (ms: number) => new Date(clock.now().getTime() + ms).toISOString();
    for (const expires_at of [at(-1000), at(366 * 24 * 3_600_000)]) {
      expect(await rejection(createClientSession(deps, ws.principal, input({ expires_at })))).toMatchObject({ type: 'invalid_input', validation_errors: { expires_at: expect.anything() } });
    }
  });
});
