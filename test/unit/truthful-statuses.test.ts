import { awaitCreatedCode } from '../../lib/access-codes/await-created-code';
import { createAccessCode } from '../../lib/access-codes/create-access-code';
import { getAccessCode } from '../../lib/access-codes/get-access-code';
import { pollDueCodes } from '../../lib/engine/poll-due-codes';
import { createAccessCodeInputSchema } from '../../lib/access-codes/schemas';
import { getActionAttempt } from '../../lib/action-attempts/get-action-attempt';
import { simulateConnection } from '../../lib/devices/device-queries';
import { AppError } from '../../lib/errors';
import { memoryApp, sandboxWorkspace } from '../support/memory-app';

/* Statuses, action attempts and events that say what really happened on the lock. */

async function setup() {
  const app = memoryApp({ latencyMs: 2000 });
  const ws = await sandboxWorkspace(app.deps);
  const run = async (seconds: number) => {
    for (let t = 0; t < seconds; t++) {
      app.clock.advance(1000);
      await pollDueCodes(app.deps);
    }
  };
  const create = (input: Record<string, unknown>) => createAccessCode(app.deps, ws.principal, createAccessCodeInputSchema.parse(input));
  const get = (id: string) => getAccessCode(app.deps, ws.principal, { access_code_id: id });
  const attempt = (id: string) => getActionAttempt(app.deps, ws.principal, id);
  const offline = (deviceId: string, isOffline = true) => simulateConnection(app.deps, ws.principal, deviceId, !isOffline);
  const types = () => app.published.map((e) => e.event_type);
  const at = (ms: number) => new Date(app.clock.now().getTime() + ms).toISOString();
  return { ...app, ws, run, create, get, attempt, offline, types, at };
}

describe('attempt_for_offline_device: false', () => {
  it('refuses a code for an offline lock that would have to wait for it, naming the flag, and stores nothing', async () => {
    const t = await setup();
    const lock = t.ws.byType('kwikset_lock');
    await t.offline(lock.device_id);
    const refused = t.create({ device_id: lock.device_id, attempt_for_offline_device: false });
    await expect(refused).rejects.toMatchObject({ statusCode: 400, type: 'invalid_input', extra: { validation_errors: { attempt_for_offline_device: expect.anything() } } });
    expect(await t.deps.accessCodes.list(t.ws.workspaceId, { deviceId: lock.device_id, limit: 10 })).toMatchObject({ items: [] });
  });

  it('fails a code whose lock went offline before it was set, clearly and for good: unset, nothing pending, the attempt in error', async () => {
    const t = await setup();
    const lock = t.ws.byType('kwikset_lock');
    const { access_code, action_attempt } = await t.create({ device_id: lock.device_id, attempt_for_offline_device: false });
    await t.offline(lock.device_id);
    await t.run(3);
    const failed = await t.get(access_code.access_code_id);
    expect(failed).toMatchObject({ status: 'unset', pending_mutations: [] });
    expect(failed.errors.map((e) => e.error_code).sort()).toEqual(['device_offline', 'failed_to_set_on_device']);
    expect(await t.attempt(action_attempt.action_attempt_id)).toMatchObject({ status: 'error', error: { type: 'failed_to_set_on_device' } });
    expect(t.types()).toEqual(['access_code.created', 'access_code.failed_to_set_on_device']);
    // Not queued for the lock: it stays off it when the lock comes back.
    await t.offline(lock.device_id, false);
    await t.run(30);
    expect(await t.keypads.get(t.ws.workspaceId, lock.device_id, access_code.access_code_id)).toBeUndefined();
    expect((await t.get(access_code.access_code_id)).status).toBe('unset');
  });
});

describe('a time-bound code that ends while its lock is offline', () => {
  it('never reached the lock: no removed_from_device, and its CREATE attempt ends in error, not success', async () => {
    const t = await setup();
    const lock = t.ws.byType('smartthings_lock');
    await t.offline(lock.device_id);
    const { access_code, action_attempt } = await t.create({ device_id: lock.device_id, starts_at: t.at(60_000), ends_at: t.at(150_000) });
    await t.run(60);
    expect((await t.get(access_code.access_code_id)).errors.map((e) => e.error_code)).toContain('device_offline');
    expect((await t.attempt(action_attempt.action_attempt_id)).status).toBe('pending');
    await t.run(120);
    await expect(t.get(access_code.access_code_id)).rejects.toBeInstanceOf(AppError);
    expect(t.types()).not.toContain('access_code.removed_from_device');
    expect(await t.attempt(action_attempt.action_attempt_id)).toMatchObject({ status: 'error', error: { type: 'failed_to_set_on_device' } });
  });

  it('still reports removed_from_device for a code that was on the lock', async () => {
    const t = await setup();
    const lock = t.ws.byType('smartthings_lock');
    const { access_code, action_attempt } = await t.create({ device_id: lock.device_id, starts_at: t.at(60_000), ends_at: t.at(150_000) });
    await t.run(100);
    expect((await t.get(access_code.access_code_id)).status).toBe('set');
    expect((await t.attempt(action_attempt.action_attempt_id)).status).toBe('success');
    await t.run(60);
    expect(t.types()).toContain('access_code.removed_from_device');
  });
});

describe('a full lock', () => {
  it('emits access_code.failed_to_set_on_device carrying no_space_for_access_code_on_device, once', async () => {
    const t = await setup();
    const lock = t.ws.devices.find((d) => d.device.display_name === 'Storage Room')?.device;
    if (!lock) throw new Error('no Storage Room lock');
    const codes = [];
    for (let i = 0; i < 3; i++) codes.push((await t.create({ device_id: lock.device_id })).access_code);
    await t.run(60);
    const failures = t.published.filter((e) => e.event_type === 'access_code.failed_to_set_on_device');
    expect(failures).toHaveLength(1);
    expect(failures[0]?.access_code_errors?.map((e) => e.error_code)).toContain('no_space_for_access_code_on_device');
  });
});

describe('sync: true', () => {
  it('answers the code as it is when the wait ends, not as it was created', async () => {
    const t = await setup();
    const lock = t.ws.byType('kwikset_lock');
    await t.offline(lock.device_id);
    const created = await t.create({ device_id: lock.device_id });
    await t.run(3);
    const answer = await awaitCreatedCode(t.deps, t.ws.principal, created, { timeoutMs: 20, intervalMs: 5 });
    expect(answer.action_attempt.status).toBe('pending');
    expect(answer.access_code).toMatchObject({ status: 'setting', errors: [expect.objectContaining({ error_code: 'device_offline' })] });
    expect(created.access_code.errors).toEqual([]);
  });
});
