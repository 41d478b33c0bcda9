import type { FollowUpScheduler } from '../../lib/ports';
import type { ClientSessionPrincipal } from '../../lib/principals/principal';
import { checkLockAction, lockActionExpiryMs, requestLockAction } from '../../lib/locks/lock-actions';
import { getLock, listLocks } from '../../lib/locks/lock-queries';
import { simulateConnection } from '../../lib/devices/device-queries';
import { makeHandler as unlockHandler } from '../../functions/locks-unlock-door';
import { makeHandler as getHandler } from '../../functions/locks-get';
import { makeHandler as listHandler } from '../../functions/locks-list';
import { makeHandler as followUpHandler } from '../../functions/run-follow-ups';
import { codesApp, failure } from '../support/codes-app';
import { invoke } from '../support/memory-app';
import { memorySeamUpstream } from '../support/memory-seam-upstream';
import { connectSeamAccount } from '../../lib/providers/seam';
import { stableDeviceId } from '../../lib/devices/derived-ids';
import { zwaveProvider } from '../../lib/providers/zwave';
import { lockShadowSchema } from '../../lib/hub-contract/shadow-documents';
import { deviceFixture } from '../support/fixtures';

/** A follow-up scheduler that records what it was asked. */
const recordingFollowUps = () => {
  const checks: { actionAttemptId: string; dueAt: string }[] = [];
  const followUps: FollowUpScheduler = {
    horizonMs: 900_000,
    async schedule() {},
    async scheduleBoltCheck(_workspaceId, actionAttemptId, dueAt) {
      checks.push({ actionAttemptId, dueAt });
    },
  };
  return { followUps, checks };
};

describe('lock state and remote unlock (sandbox)', () => {
  it('unlocks after the lock latency: pending, then success with lock.unlocked (method remote) and the device unlocked, in one write', async () => {
    const app = await codesApp({ latencyMs: 2000 });
    const { followUps, checks } = recordingFollowUps();
    const deps = { ...app.deps, followUps };
    const lock = app.ws.byType('schlage_lock');
    expect(lock.properties.locked).toBe(true);

    const attempt = await requestLockAction(deps, app.ws.principal, lock.device_id, 'unlock');
    expect(attempt).toMatchObject({ action_type: 'UNLOCK_DOOR', status: 'pending', result: null, error: null });
    expect(checks).toEqual([{ actionAttemptId: attempt.action_attempt_id, dueAt: new Date(app.clock.now().getTime() + 2000).toISOString() }]);

    // Checked too early: still pending, checked again later.
    app.clock.advance(1000);
    await checkLockAction(deps, app.ws.workspaceId, attempt.action_attempt_id);
    expect((await deps.actionAttempts.get(app.ws.workspaceId, attempt.action_attempt_id))?.action_attempt.status).toBe('pending');
    expect(checks).toHaveLength(2);

    app.clock.advance(1000);
    await checkLockAction(deps, app.ws.workspaceId, attempt.action_attempt_id);
    expect((await deps.actionAttempts.get(app.ws.workspaceId, attempt.action_attempt_id))?.action_attempt).toEqual({
      action_attempt_id: attempt.action_attempt_id,
      action_type: 'UNLOCK_DOOR',
      status: 'success',
      result: { was_confirmed_by_device: true },
      error: null,
    });
    expect((await getLock(deps, app.ws.principal, lock.device_id)).properties.locked).toBe(false);
    const events = await deps.events.list(app.ws.workspaceId, { limit: 10, event_type: 'lock.unlocked' });
    expect(events).toEqual([
      expect.objectContaining({
        event_type: 'lock.unlocked',
        device_id: lock.device_id,
        connected_account_id: lock.connected_account_id,
        method: 'remote',
        action_attempt_id: attempt.action_attempt_id,
      }),
    ]);
    expect(events[0]).not.toHaveProperty('access_code_id');
    // Through the outbox, as every event.
    await app.outbox.flush();
    expect(app.published.filter((e) => e.event_type === 'lock.unlocked')).toHaveLength(1);

    // A second report of the same action changes nothing.
    await checkLockAction(deps, app.ws.workspaceId, attempt.action_attempt_id);
    expect(await deps.events.list(app.ws.workspaceId, { limit: 10, event_type: 'lock.unlocked' })).toHaveLength(1);

    const locking = await requestLockAction(deps, app.ws.principal, lock.device_id, 'lock');
    app.clock.advance(2000);
    await checkLockAction(deps, app.ws.workspaceId, locking.action_attempt_id);
    expect((await getLock(deps, app.ws.principal, lock.device_id)).properties.locked).toBe(true);
    expect(await deps.events.list(app.ws.workspaceId, { limit: 10, event_type: 'lock.locked' })).toEqual([expect.objectContaining({ method: 'remote', action_attempt_id: locking.action_attempt_id })]);
  });

  it('fails the attempt on an offline lock and on the flaky lock, and expires one the lock never reports', async () => {
    const app = await codesApp({ latencyMs: 2000, random: () => 0 });
    const deps = app.deps;
    const flaky = app.ws.devices.find((d) => d.device.properties.name === 'Flaky Door')?.device;
    if (!flaky) throw new Error('no flaky lock');
    expect(await requestLockAction(deps, app.ws.principal, flaky.device_id, 'unlock')).toMatchObject({ status: 'error', error: { type: 'uncategorized_error' } });

    const front = app.ws.byType('schlage_lock');
    await simulateConnection(deps, app.ws.principal, front.device_id, false);
    expect(await requestLockAction(deps, app.ws.principal, front.device_id, 'unlock')).toMatchObject({ status: 'error', error: { type: 'device_offline' } });
    expect((await getLock(deps, app.ws.principal, front.device_id)).properties.locked).toBe(true);

    await simulateConnection(deps, app.ws.principal, front.device_id, true);
    const pending = await requestLockAction(deps, app.ws.principal, front.device_id, 'unlock');
    // The lock goes away before it reports: its check fails the attempt.
    await deps.devices.remove(app.ws.workspaceId, front.device_id);
    await checkLockAction(deps, app.ws.workspaceId, pending.action_attempt_id);
    expect((await deps.actionAttempts.get(app.ws.workspaceId, pending.action_attempt_id))?.action_attempt).toMatchObject({ status: 'error', error: { type: 'uncategorized_error' } });
  });

  it('ends an attempt the lock has not reported after a minute as action_attempt_expired', async () => {
    const app = await codesApp({ latencyMs: 10 * lockActionExpiryMs });
    const lock = app.ws.byType('kwikset_lock');
    const attempt = await requestLockAction(app.deps, app.ws.principal, lock.device_id, 'lock');
    app.clock.advance(lockActionExpiryMs);
    await checkLockAction(app.deps, app.ws.workspaceId, attempt.action_attempt_id);
    expect((await app.deps.actionAttempts.get(app.ws.workspaceId, attempt.action_attempt_id))?.action_attempt).toMatchObject({ status: 'error', error: { type: 'action_attempt_expired' } });
    // Checks of attempts that are not lock actions, or unknown, do nothing.
    await checkLockAction(app.deps, app.ws.workspaceId, '00000000-0000-4000-8000-000000000000');
  });

  it('scopes locks to a client session: only its granted locks, others are device_not_found', async () => {
    const app = await codesApp();
    const [granted, other] = app.ws.devices.map((d) => d.device);
    if (!granted || !other) throw new Error('no locks');
    const session: ClientSessionPrincipal = {
      kind: 'client_session',
      workspace_id: app.ws.workspaceId,
      client_session_id: '00000000-0000-4000-8000-000000000009',
      device_ids: [granted.device_id],
      connected_account_ids: [],
    };
    expect((await listLocks(app.deps, session, {})).map((d) => d.device_id)).toEqual([granted.device_id]);
    expect(await failure(getLock(app.deps, session, other.device_id))).toEqual({ type: 'device_not_found', fields: [] });
    expect(await failure(requestLockAction(app.deps, session, other.device_id, 'unlock'))).toEqual({ type: 'device_not_found', fields: [] });
    expect((await listLocks(app.deps, app.ws.principal, { limit: 2 })).length).toBe(2);
    expect(await listLocks(app.deps, app.ws.principal, { connected_account_id: '00000000-0000-4000-8000-000000000009' })).toEqual([]);
  });

  it('refuses a device that cannot be unlocked remotely, naming device_id', async () => {
    const app = await codesApp();
    const lock = app.ws.byType('schlage_lock');
    const record = await app.deps.devices.get(app.ws.workspaceId, lock.device_id);
    if (!record) throw new Error('no lock');
    await app.deps.devices.put({ ...record, device: { ...record.device, can_remotely_unlock: false } });
    expect(await failure(requestLockAction(app.deps, app.ws.principal, lock.device_id, 'unlock'))).toEqual({ type: 'invalid_input', fields: ['device_id'] });
    await app.deps.devices.put({ ...record, device: { ...record.device, capabilities_supported: ['access_code'] } });
    expect(await failure(getLock(app.deps, app.ws.principal, lock.device_id))).toEqual({ type: 'device_not_found', fields: [] });
  });

  it('serves the routes in Seam shapes; the follow-up queue ends the attempt', async () => {
    const app = await codesApp({ latencyMs: 500 });
    const lock = app.ws.byType('nuki_lock');
    const got = await invoke(getHandler(app.deps), { method: 'GET', path: '/locks/get', query: `device_id=${lock.device_id}`, apiKey: app.ws.apiKey });
    expect(got.status).toBe(200);
    expect(got.body.lock).toEqual(got.body.device);
    const listed = await invoke(listHandler(app.deps), { path: '/locks/list', body: {}, apiKey: app.ws.apiKey });
    expect(listed.body.locks).toHaveLength(app.ws.devices.length);
    expect(listed.body.devices).toEqual(listed.body.locks);
    const bad = await invoke(unlockHandler(app.deps), { path: '/locks/unlock_door', body: { device_id: 'nope' }, apiKey: app.ws.apiKey });
    expect(bad).toMatchObject({ status: 400, body: { error: { type: 'invalid_input', validation_errors: { device_id: expect.anything() } } } });

    const unlocked = await invoke(unlockHandler(app.deps), { path: '/locks/unlock_door', body: { device_id: lock.device_id }, apiKey: app.ws.apiKey });
    expect(unlocked).toMatchObject({ status: 200, body: { ok: true, action_attempt: { action_type: 'UNLOCK_DOOR', status: 'pending' } } });
    app.clock.advance(500);
    const message = { workspace_id: app.ws.workspaceId, action_attempt_id: unlocked.body.action_attempt.action_attempt_id };
    const answer = await followUpHandler(app.deps)({ Records: [{ messageId: 'm1', body: JSON.stringify(message) }] } as never, {} as never);
    expect(answer).toEqual({ batchItemFailures: [] });
    expect((await getLock(app.deps, app.ws.principal, lock.device_id)).properties.locked).toBe(false);
  });
});

describe('remote unlock on a Seam upstream', () => {
  const upstreamLock = (id: string, remote: boolean) => ({
    device_id: id,
    device_type: 'august_lock',
    display_name: `Lock ${id}`,
    can_program_online_access_codes: true,
    can_remotely_lock: remote,
    can_remotely_unlock: remote,
    capabilities_supported: ['lock', 'access_code'],
    properties: { name: `Lock ${id}`, online: true, locked: true, supported_code_lengths: [6], max_active_codes_supported: 10 },
  });

  it("asks the upstream's lock routes and ends when the upstream device shows the bolt moved; waits through an outage", async () => {
    const upstream = memorySeamUpstream([upstreamLock('front', true), upstreamLock('keypad-only', false)]);
    const app = await codesApp({ seamUpstream: upstream.factory });
    const { connected_account_id } = await connectSeamAccount(app.deps, { workspaceId: app.ws.workspaceId, apiKey: 'seam_upstream_key_123456', endpoint: 'https://seam.example' });
    const front = stableDeviceId(connected_account_id, 'front');
    const keypadOnly = stableDeviceId(connected_account_id, 'keypad-only');
    expect(await getLock(app.deps, app.ws.principal, front)).toMatchObject({ can_remotely_unlock: true, properties: { locked: true } });
    expect(await failure(requestLockAction(app.deps, app.ws.principal, keypadOnly, 'unlock'))).toEqual({ type: 'invalid_input', fields: ['device_id'] });

    const attempt = await requestLockAction(app.deps, app.ws.principal, front, 'unlock');
    expect(attempt.status).toBe('pending');
    upstream.setDown(true);
    app.clock.advance(1000);
    await checkLockAction(app.deps, app.ws.workspaceId, attempt.action_attempt_id);
    expect((await app.deps.actionAttempts.get(app.ws.workspaceId, attempt.action_attempt_id))?.action_attempt.status).toBe('pending');
    upstream.setDown(false);
    await checkLockAction(app.deps, app.ws.workspaceId, attempt.action_attempt_id);
    expect((await app.deps.actionAttempts.get(app.ws.workspaceId, attempt.action_attempt_id))?.action_attempt.status).toBe('success');
    expect((await getLock(app.deps, app.ws.principal, front)).properties.locked).toBe(false);
    expect(await app.deps.events.list(app.ws.workspaceId, { limit: 10, device_id: front })).toEqual([
      expect.objectContaining({ event_type: 'lock.unlocked', method: 'remote', action_attempt_id: attempt.action_attempt_id, connected_account_id }),
    ]);

    // A lock gone from the upstream fails the attempt; an upstream that refuses the request fails it at once.
    const locking = await requestLockAction(app.deps, app.ws.principal, front, 'lock');
    upstream.remove('front');
    await checkLockAction(app.deps, app.ws.workspaceId, locking.action_attempt_id);
    expect((await app.deps.actionAttempts.get(app.ws.workspaceId, locking.action_attempt_id))?.action_attempt).toMatchObject({ status: 'error' });
    upstream.setDown(true);
    expect(await requestLockAction(app.deps, app.ws.principal, front, 'lock')).toMatchObject({ status: 'error', error: { type: 'uncategorized_error', message: 'Seam answered 503' } });
  });
});

describe('the Z-Wave bolt (shadow side)', () => {
  const shadowOf = (reported: Record<string, unknown>) => ({ state: { reported }, metadata: {}, version: 3 });
  const zwaveLock = (online = true) => {
    const record = deviceFixture('00000000-0000-4000-8000-000000000001');
    return {
      ...record,
      device: { ...record.device, properties: { ...record.device.properties, online } },
      provider: 'zwave' as const,
      provider_device_id: 'hub/lock-2',
      provider_state: { thing_name: 'latchkey-local-hub-x', shadow_name: 'lock-2', node_id: 2 },
    };
  };
  const request = { action_attempt_id: '00000000-0000-4000-8000-00000000000a', action: 'unlock' as const, requested_at: '2026-11-23T12:00:00.000Z' };

  it('asks in desired.bolt, and reads the answer for its own request only', async () => {
    const writes: unknown[] = [];
    let document: ReturnType<typeof shadowOf> | undefined = shadowOf({});
    const bolt = zwaveProvider({
      get: async () => document && lockShadowSchema.parse(document),
      setDesired: async (_thing, _shadow, desired, version) => {
        writes.push({ desired, version });
        return true;
      },
      list: async () => [],
    }).bolt;
    if (!bolt) throw new Error('no bolt');
    await bolt.request(zwaveLock(), request);
    expect(writes).toEqual([{ desired: { bolt: { request: request.action_attempt_id, locked: false } }, version: 3 }]);
    await expect(bolt.request(zwaveLock(false), request)).rejects.toMatchObject({ kind: 'device_offline' });

    expect(await bolt.check(zwaveLock(), request)).toEqual({ status: 'pending' });
    document = shadowOf({ bolt: { request: 'another', locked: false, result: 'done' } });
    expect(await bolt.check(zwaveLock(), request)).toEqual({ status: 'pending' });
    document = shadowOf({ bolt: { request: request.action_attempt_id, locked: true, result: 'failed' } });
    expect(await bolt.check(zwaveLock(), request)).toMatchObject({ status: 'failed' });
    document = shadowOf({ bolt: { request: request.action_attempt_id, locked: false, result: 'done' } });
    expect(await bolt.check(zwaveLock(), request)).toEqual({ status: 'done', locked: false });
  });
});
