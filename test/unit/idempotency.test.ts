import { makeHandler as makeCreate } from '../../functions/access-codes-create';
import { makeHandler as makeDelete } from '../../functions/access-codes-delete';
import { makeHandler as makeList } from '../../functions/access-codes-list';
import { createAccessCode } from '../../lib/access-codes/create-access-code';
import { createMultipleAccessCodes, updateMultipleAccessCodes } from '../../lib/access-codes/linked-codes';
import { deleteConnectedAccount } from '../../lib/connected-accounts/connected-accounts';
import { requestFingerprint, underIdempotencyKey } from '../../lib/http/idempotency-key';
import { idempotencyKeyLifetimeMs, idempotencyLeaseMs } from '../../lib/idempotency/schemas';
import { revokeClientSession } from '../../lib/principals/client-session-admin';
import { getOrCreateClientSession } from '../../lib/principals/client-sessions';
import { createWebhook, deleteWebhook } from '../../lib/webhooks/webhooks';
import { invoke, memoryApp, sandboxWorkspace } from '../support/memory-app';

async function setup() {
  const app = memoryApp();
  const ws = await sandboxWorkspace(app.deps);
  const create = makeCreate(app.deps);
  const list = makeList(app.deps);
  const device = ws.byType('kwikset_lock');
  const createWith = (key: string | undefined, body: object = { device_id: device.device_id, name: 'Guest' }, apiKey = ws.apiKey) =>
    invoke(create, { apiKey, body, headers: key === undefined ? {} : { 'idempotency-key': key } });
  const codes = async (apiKey = ws.apiKey, deviceId = device.device_id) => (await invoke(list, { apiKey, body: { device_id: deviceId } })).body.access_codes as { access_code_id: string }[];
  return { ...app, ws, device, createWith, codes };
}

describe('Idempotency-Key on write routes (memory store)', () => {
  it('runs the first request, and answers a retry with the kept answer, marked as replayed, changing nothing', async () => {
    const { createWith, codes } = await setup();
    const first = await createWith('guest-17');
    const again = await createWith('guest-17');
    expect(first.status).toBe(200);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(again.status).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(await codes()).toHaveLength(1);
  });

  it('changes nothing without the header', async () => {
    const { createWith, codes } = await setup();
    const [a, b] = [await createWith(undefined), await createWith(undefined)];
    expect(a.body.access_code.access_code_id).not.toBe(b.body.access_code.access_code_id);
    expect(a.headers['idempotent-replayed']).toBeUndefined();
    expect(await codes()).toHaveLength(2);
  });

  it('answers 422 idempotency_key_reused for another request with the key', async () => {
    const { createWith, device, codes } = await setup();
    await createWith('k1');
    const other = await createWith('k1', { device_id: device.device_id, name: 'Another guest' });
    expect(other.status).toBe(422);
    expect(other.body).toMatchObject({ ok: false, error: { type: 'idempotency_key_reused' } });
    expect(await codes()).toHaveLength(1);
  });

  it('answers 400 invalid_input naming the header for a malformed key', async () => {
    const { createWith, codes } = await setup();
    const res = await createWith('k'.repeat(256));
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ type: 'invalid_input', message: expect.stringContaining('Idempotency-Key') });
    expect(await codes()).toHaveLength(0);
  });

  it('keeps an error answer too: the retry gets the same error, replayed', async () => {
    const { createWith } = await setup();
    const first = await createWith('k2', { device_id: '00000000-0000-4000-8000-000000000000' });
    const again = await createWith('k2', { device_id: '00000000-0000-4000-8000-000000000000' });
    expect(first.status).toBe(404);
    expect(again.status).toBe(404);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body.error.type).toBe(first.body.error.type);
    expect(again.body.error.request_id).toBe(again.headers['seam-request-id']);
  });

  it('answers 409 idempotency_key_in_use while the first request runs, and runs again once it held the key past its lease without writing', async () => {
    const { deps, ws, device, clock, createWith, codes } = await setup();
    // The first request holds the key and is still running (it has not written yet).
    const fingerprint = requestFingerprint('/access_codes/create', { device_id: device.device_id, name: 'Guest' });
    expect(await deps.idempotencyKeys.claim({ workspaceId: ws.workspaceId, key: 'k4', fingerprint, token: 'first', now: clock.now().toISOString() })).toEqual({ kind: 'claimed' });
    const busy = await createWith('k4');
    expect(busy.status).toBe(409);
    expect(busy.body.error.type).toBe('idempotency_key_in_use');
    clock.advance(idempotencyLeaseMs);
    const after = await createWith('k4');
    expect(after.status).toBe(200);
    expect(await codes()).toHaveLength(1);
  });

  it('forgets a key after 24 hours', async () => {
    const { createWith, clock, codes } = await setup();
    const first = await createWith('k5');
    clock.advance(idempotencyKeyLifetimeMs);
    const later = await createWith('k5');
    expect(later.headers['idempotent-replayed']).toBeUndefined();
    expect(later.body.access_code.access_code_id).not.toBe(first.body.access_code.access_code_id);
    expect(await codes()).toHaveLength(2);
  });

  it('scopes keys to the workspace', async () => {
    const { deps, createWith, codes } = await setup();
    const other = await sandboxWorkspace(deps, 'Other');
    const a = await createWith('shared');
    const otherDevice = other.byType('kwikset_lock').device_id;
    const b = await invoke(makeCreate(deps), { apiKey: other.apiKey, body: { device_id: otherDevice, name: 'Guest' }, headers: { 'idempotency-key': 'shared' } });
    expect(b.status).toBe(200);
    expect(b.headers['idempotent-replayed']).toBeUndefined();
    expect(b.body.access_code.access_code_id).not.toBe(a.body.access_code.access_code_id);
    expect(await codes()).toHaveLength(1);
    expect(await codes(other.apiKey, otherDevice)).toHaveLength(1);
  });

  it('replays a 2.x DELETE of a code for a 1.x POST of the same delete', async () => {
    const { deps, createWith, ws } = await setup();
    const created = await createWith(undefined);
    const id = created.body.access_code.access_code_id;
    const del = makeDelete(deps);
    const first = await invoke(del, { method: 'DELETE', apiKey: ws.apiKey, query: `access_code_id=${id}`, headers: { 'idempotency-key': 'del-1' } });
    const again = await invoke(del, { method: 'POST', apiKey: ws.apiKey, body: { access_code_id: id }, headers: { 'idempotency-key': 'del-1' } });
    expect(first.status).toBe(200);
    expect(again.status).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
  });

  it('lets a retry run again after a fault before any write, and replays the committed write after a fault after it', async () => {
    const { deps, ws, device, clock, codes } = await setup();
    const request = (key: string) => ({ workspaceId: ws.workspaceId, key, path: '/access_codes/create', input: { device_id: device.device_id } });
    await expect(underIdempotencyKey(deps, request('f1'), async () => Promise.reject(new Error('fault')))).rejects.toThrow('fault');
    expect(await underIdempotencyKey(deps, request('f1'), async () => ({ ran: true }))).toEqual({ ran: true });

    let createdId = '';
    const crashAfterCommit = async () => {
      createdId = (await createAccessCode(deps, ws.principal, { device_id: device.device_id })).access_code.access_code_id;
      throw new Error('killed before answering');
    };
    await expect(underIdempotencyKey(deps, request('f2'), crashAfterCommit)).rejects.toThrow('killed');
    clock.advance(idempotencyLeaseMs);
    const replay = await underIdempotencyKey(deps, request('f2'), async () => ({ ran: true }));
    expect(replay).toMatchObject({ answer: { status: 200, body: { access_code: { access_code_id: createdId }, action_attempt: { status: 'pending' }, ok: true } } });
    expect(await codes()).toHaveLength(1);
  });

  it('replays the answer a session or webhook write declared, token and secret included, after a fault after its commit', async () => {
    const { deps, ws, clock } = await setup();
    const request = (key: string, path: string, input: Record<string, unknown>) => ({ workspaceId: ws.workspaceId, key, path, input });
    const killedAfter = async <T>(key: string, path: string, input: Record<string, unknown>, write: () => Promise<T>) => {
      let answered: T | undefined;
      await expect(
        underIdempotencyKey(deps, request(key, path, input), async () => {
          answered = await write();
          throw new Error('killed before answering');
        }),
      ).rejects.toThrow('killed');
      clock.advance(idempotencyLeaseMs);
      return { answered, replay: await underIdempotencyKey(deps, request(key, path, input), async () => ({ ran: true })) };
    };

    // An ended session holding the key is cleared first: that write commits nothing, the new session's does.
    const input = { user_identifier_key: 'guest-9', expires_at: new Date(clock.now().getTime() + 60_000).toISOString() };
    const ended = await getOrCreateClientSession(deps, ws.principal, input);
    clock.advance(120_000);
    const reopened = { user_identifier_key: 'guest-9' };
    const session = await killedAfter('s1', '/client_sessions/get_or_create', reopened, () => getOrCreateClientSession(deps, ws.principal, reopened));
    expect(session.answered?.client_session_id).not.toBe(ended.client_session_id);
    expect(session.replay).toEqual({ answer: { status: 200, body: { client_session: session.answered, ok: true } } });
    expect((await deps.clientSessions.list(ws.workspaceId)).map((r) => r.client_session_id)).toEqual([session.answered?.client_session_id]);

    const id = session.answered?.client_session_id ?? '';
    const revoked = await killedAfter('s2', '/client_sessions/revoke', { client_session_id: id }, () => revokeClientSession(deps, ws.principal, id));
    expect(revoked.replay).toEqual({ answer: { status: 200, body: { ok: true } } });

    const hook = { url: 'https://example.com/hook' };
    const created = await killedAfter('w1', '/webhooks/create', hook, () => createWebhook(deps, ws.principal, hook));
    expect(created.answered?.secret).toMatch(/^whsec_/);
    expect(created.replay).toEqual({ answer: { status: 200, body: { webhook: created.answered, ok: true } } });
    const webhookId = created.answered?.webhook_id ?? '';
    const deleted = await killedAfter('w2', '/webhooks/delete', { webhook_id: webhookId }, () => deleteWebhook(deps, ws.principal, webhookId));
    expect(deleted.replay).toEqual({ answer: { status: 200, body: { ok: true } } });
    expect(await deps.webhooks.list(ws.workspaceId)).toEqual([]);
  });

  it('commits a connected account deletion with its last write: a fault midway lets the retry finish it, a crash after replays it', async () => {
    const { deps, ws, device, clock, codes } = await setup();
    await createAccessCode(deps, ws.principal, { device_id: device.device_id });
    const accountId = device.connected_account_id;
    const request = { workspaceId: ws.workspaceId, key: 'disconnect', path: '/connected_accounts/delete', input: { connected_account_id: accountId } };
    // The code's removal commits, then removing its device faults: nothing may replay that half.
    const remove = (workspaceId: string, deviceId: string) => (deviceId === device.device_id ? Promise.reject(new Error('fault')) : deps.devices.remove(workspaceId, deviceId));
    const faulty = { ...deps, devices: { ...deps.devices, remove } };
    await expect(underIdempotencyKey(deps, request, () => deleteConnectedAccount(faulty, ws.principal, accountId).then(() => ({})))).rejects.toThrow('fault');
    expect(await codes()).toEqual([]);
    expect(await deps.connectedAccounts.get(ws.workspaceId, accountId)).toBeDefined();

    const killed = async () => {
      await deleteConnectedAccount(deps, ws.principal, accountId);
      throw new Error('killed before answering');
    };
    await expect(underIdempotencyKey(deps, request, killed)).rejects.toThrow('killed');
    expect(await deps.connectedAccounts.get(ws.workspaceId, accountId)).toBeUndefined();
    clock.advance(idempotencyLeaseMs);
    expect(await underIdempotencyKey(deps, request, async () => ({ ran: true }))).toEqual({ answer: { status: 200, body: { ok: true } } });
  });
  it('commits update_multiple with its last code write: a fault midway lets the retry finish it, a crash after replays its answer', async () => {
    const { deps, ws, clock } = await setup();
    const devices = [ws.byType('kwikset_lock'), ws.byType('schlage_lock')];
    const created = await createMultipleAccessCodes(deps, ws.principal, { device_ids: devices.map((d) => d.device_id), behavior_when_code_cannot_be_shared: 'throw' });
    const commonCodeKey = created[0]?.common_code_key ?? '';
    expect(commonCodeKey).not.toBe('');
    const input = { common_code_key: commonCodeKey, name: 'Renamed' };
    const request = { workspaceId: ws.workspaceId, key: 'rename-all', path: '/access_codes/update_multiple', input };
    const names = async () => (await Promise.all(created.map((c) => deps.accessCodes.get(ws.workspaceId, c.access_code_id)))).map((r) => r?.access_code.name);

    // The first code's update commits, the second's faults: nothing may replay that half.
    // Which code goes first is the listing's order, so the fault falls on the second write made.
    let writes = 0;
    const update: typeof deps.accessCodes.update = (next, prev, extra) => (++writes === 2 ? Promise.reject(new Error('fault')) : deps.accessCodes.update(next, prev, extra));
    const faulty = { ...deps, accessCodes: { ...deps.accessCodes, update } };
    await expect(underIdempotencyKey(deps, request, () => updateMultipleAccessCodes(faulty, ws.principal, input).then(() => ({})))).rejects.toThrow('fault');
    expect((await names()).sort()).toEqual(['Renamed', null].sort());

    const killed = async () => {
      await updateMultipleAccessCodes(deps, ws.principal, input);
      throw new Error('killed before answering');
    };
    await expect(underIdempotencyKey(deps, request, killed)).rejects.toThrow('killed');
    expect(await names()).toEqual(['Renamed', 'Renamed']);
    clock.advance(idempotencyLeaseMs);
    expect(await underIdempotencyKey(deps, request, async () => ({ ran: true }))).toEqual({ answer: { status: 200, body: { ok: true } } });
  });
});
