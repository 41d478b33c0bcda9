import { createAccessCode } from '../../lib/access-codes/create-access-code';
import { deleteAccessCode } from '../../lib/access-codes/delete-access-code';
import { getAccessCode } from '../../lib/access-codes/get-access-code';
import { pollDueCodes } from '../../lib/engine/poll-due-codes';
import { createAccessCodeInputSchema } from '../../lib/access-codes/schemas';
import { updateAccessCode } from '../../lib/access-codes/update-access-code';
import { getActionAttempt } from '../../lib/action-attempts/get-action-attempt';
import { simulateConnection } from '../../lib/devices/device-queries';
import { type KeypadEntry, type LockProvider, ProviderError } from '../../lib/devices/lock-provider';
import type { DeviceRecord } from '../../lib/devices/schemas';
import type { AppDeps } from '../../lib/deps';
import { AppError } from '../../lib/errors';
import { memoryApp, sandboxWorkspace } from '../support/memory-app';
import type { SeamEvent } from '../../lib/events/schemas';
import type { EventPublisher } from '../../lib/ports';

const hour = 3_600_000;

async function setup(options: { random?: () => number } = {}) {
  const app = memoryApp({ latencyMs: 2000, ...options });
  const ws = await sandboxWorkspace(app.deps);
  /** Runs the poller on each tick of `seconds`, moving the clock; no real waiting. */
  const run = async (seconds: number, tick = 1) => {
    for (let t = 0; t < seconds; t += tick) {
      app.clock.advance(tick * 1000);
      await pollDueCodes(app.deps);
    }
  };
  const create = async (input: Record<string, unknown>) => createAccessCode(app.deps, ws.principal, createAccessCodeInputSchema.parse(input));
  const get = (id: string) => getAccessCode(app.deps, ws.principal, { access_code_id: id });
  const onLock = (deviceId: string, id: string) => app.keypads.get(ws.workspaceId, deviceId, id);
  const types = () => app.published.map((e) => e.event_type);
  return { ...app, ws, run, create, get, onLock, types };
}

const isGone = async (promise: Promise<unknown>) =>
  promise.then(
    () => false,
    (e: unknown) => e instanceof AppError && e.statusCode === 404,
  );

describe('the lifecycle engine', () => {
  it('takes an ongoing code from setting to set once the lock confirms, and ends its action attempt', async () => {
    const t = await setup();
    const lock = t.ws.byType('kwikset_lock');
    const { access_code, action_attempt } = await t.create({ device_id: lock.device_id, code: '4829' });
    await t.run(1);
    expect((await t.get(access_code.access_code_id)).status).toBe('setting');
    await t.run(3);
    const set = await t.get(access_code.access_code_id);
    expect(set).toMatchObject({ status: 'set', pending_mutations: [], errors: [] });
    expect(await t.onLock(lock.device_id, access_code.access_code_id)).toMatchObject({ code: '4829' });
    expect(await getActionAttempt(t.deps, t.ws.principal, action_attempt.action_attempt_id)).toMatchObject({
      status: 'success',
      result: { access_code: { access_code_id: access_code.access_code_id, status: 'set' } },
    });
    expect(t.types()).toEqual(['access_code.created', 'access_code.set_on_device']);
  });

  it('programs a just-in-time lock a lead before starts_at and removes the code at ends_at', async () => {
    const t = await setup();
    const lock = t.ws.byType('smartthings_lock');
    const now = t.clock.now().getTime();
    const { access_code } = await t.create({ device_id: lock.device_id, starts_at: new Date(now + 3 * hour).toISOString(), ends_at: new Date(now + 5 * hour).toISOString() });
    await t.run(60 * 60, 60);
    expect(await t.get(access_code.access_code_id)).toMatchObject({ status: 'unset' });
    expect(await t.onLock(lock.device_id, access_code.access_code_id)).toBeUndefined();
    await t.run(62 * 60, 60);
    expect((await t.get(access_code.access_code_id)).status).toBe('set');
    await t.run(3 * 60 * 60, 60);
    expect(await isGone(t.get(access_code.access_code_id))).toBe(true);
    expect(await t.onLock(lock.device_id, access_code.access_code_id)).toBeUndefined();
    expect(t.types()).toEqual(['access_code.created', 'access_code.set_on_device', 'access_code.removed_from_device']);
  });

  it('loads a natively scheduling lock ahead, keeps the code unset until starts_at, and lets the lock clear it', async () => {
    const t = await setup();
    const lock = t.ws.byType('schlage_lock');
    const now = t.clock.now().getTime();
    const starts = new Date(now + 24 * hour).toISOString();
    const ends = new Date(now + 30 * hour).toISOString();
    const { access_code } = await t.create({ device_id: lock.device_id, starts_at: starts, ends_at: ends });
    await t.run(5);
    expect(await t.get(access_code.access_code_id)).toMatchObject({ status: 'unset', is_scheduled_on_device: true });
    expect(await t.onLock(lock.device_id, access_code.access_code_id)).toMatchObject({ starts_at: starts, ends_at: ends });
    t.clock.set(starts);
    await t.run(1);
    expect((await t.get(access_code.access_code_id)).status).toBe('set');
    t.clock.set(ends);
    await t.run(2);
    expect(await isGone(t.get(access_code.access_code_id))).toBe(true);
    expect(t.types()).toEqual(['access_code.created', 'access_code.scheduled_on_device', 'access_code.set_on_device', 'access_code.removed_from_device']);
  });

  it('removes a deleted code from the lock before it is gone, and ends the delete attempt with {}', async () => {
    const t = await setup();
    const lock = t.ws.byType('kwikset_lock');
    const { access_code } = await t.create({ device_id: lock.device_id });
    await t.run(4);
    const attempt = await deleteAccessCode(t.deps, t.ws.principal, { access_code_id: access_code.access_code_id });
    expect((await t.get(access_code.access_code_id)).status).toBe('removing');
    await t.run(4);
    expect(await isGone(t.get(access_code.access_code_id))).toBe(true);
    expect(await t.onLock(lock.device_id, access_code.access_code_id)).toBeUndefined();
    expect(await getActionAttempt(t.deps, t.ws.principal, attempt.action_attempt_id)).toEqual({ ...attempt, status: 'success', result: {} });
  });

  it('reprograms the lock when the PIN changes', async () => {
    const t = await setup();
    const lock = t.ws.byType('kwikset_lock');
    const { access_code } = await t.create({ device_id: lock.device_id, code: '4829' });
    await t.run(4);
    await updateAccessCode(t.deps, t.ws.principal, { access_code_id: access_code.access_code_id, code: '7391' });
    expect((await t.get(access_code.access_code_id)).pending_mutations.map((m) => m.mutation_code)).toContain('updating_code');
    await t.run(4);
    expect(await t.get(access_code.access_code_id)).toMatchObject({ status: 'set', code: '7391', pending_mutations: [] });
    expect(await t.onLock(lock.device_id, access_code.access_code_id)).toMatchObject({ code: '7391' });
  });

  it('shows device_offline on codes of an offline lock and sets them once it is back', async () => {
    const t = await setup();
    const lock = t.ws.byType('kwikset_lock');
    await simulateConnection(t.deps, t.ws.principal, lock.device_id, false);
    const { access_code } = await t.create({ device_id: lock.device_id });
    await t.run(2);
    expect((await t.get(access_code.access_code_id)).errors.map((e) => e.error_code)).toEqual(['device_offline']);
    await simulateConnection(t.deps, t.ws.principal, lock.device_id, true);
    await t.run(30);
    expect(await t.get(access_code.access_code_id)).toMatchObject({ status: 'set', errors: [] });
  });

  it('warns about a delay, then gives up with failed_to_set_on_device and fails the attempt', async () => {
    const t = await setup();
    const lock = t.ws.byType('kwikset_lock');
    await simulateConnection(t.deps, t.ws.principal, lock.device_id, false);
    const { access_code, action_attempt } = await t.create({ device_id: lock.device_id });
    await t.run(60 * 60, 10);
    const failed = await t.get(access_code.access_code_id);
    expect(failed.warnings.map((w) => w.warning_code)).toContain('delay_in_setting_on_device');
    expect(failed.errors.map((e) => e.error_code)).toContain('failed_to_set_on_device');
    expect(t.types()).toEqual(['access_code.created', 'access_code.delay_in_setting_on_device', 'access_code.failed_to_set_on_device']);
    expect(await getActionAttempt(t.deps, t.ws.principal, action_attempt.action_attempt_id)).toMatchObject({ status: 'error', error: { type: 'failed_to_set_on_device' } });
  });

  it('reports no_space_for_access_code_on_device on a full lock', async () => {
    const t = await setup();
    const lock = t.ws.devices.find((d) => d.device.display_name === 'Storage Room')?.device;
    if (!lock) throw new Error('no Storage Room lock');
    const codes = [];
    for (let i = 0; i < 3; i++) codes.push((await t.create({ device_id: lock.device_id })).access_code);
    await t.run(6);
    const statuses = await Promise.all(codes.map((c) => t.get(c.access_code_id)));
    expect(statuses.filter((c) => c.status === 'set')).toHaveLength(2);
    expect(statuses.find((c) => c.status !== 'set')?.errors.map((e) => e.error_code)).toEqual(['no_space_for_access_code_on_device']);
  });

  it('gives up at once when the lock rejects the PIN format, without retrying', async () => {
    const t = await setup();
    let programs = 0;
    const rejecting = {
      ...t.deps,
      providers: {
        for: (device: DeviceRecord) => ({
          ...t.deps.providers.for(device),
          program: async () => {
            programs++;
            throw new ProviderError('rejected_pin', 'The lock rejected the PIN format');
          },
        }),
      },
    };
    const { access_code, action_attempt } = await t.create({ device_id: t.ws.byType('kwikset_lock').device_id });
    for (let i = 0; i < 60; i++) {
      t.clock.advance(60_000);
      await pollDueCodes(rejecting);
    }
    expect(programs).toBe(1);
    expect((await t.get(access_code.access_code_id)).errors.map((e) => e.error_code)).toEqual(['failed_to_set_on_device']);
    expect(await getActionAttempt(t.deps, t.ws.principal, action_attempt.action_attempt_id)).toMatchObject({ status: 'error', error: { type: 'failed_to_set_on_device' } });
  });

  it('retries a provider outage with backoff for as long as it lasts, never as device_offline or a failed code', async () => {
    const t = await setup();
    let down = true;
    let calls = 0;
    const outage = (device: DeviceRecord): LockProvider => {
      const real = t.deps.providers.for(device);
      const guard = async () => {
        calls++;
        if (down) throw new ProviderError('provider_unavailable', 'The provider answered 503');
      };
      return {
        ...real,
        program: async (...args) => {
          await guard();
          return real.program(...args);
        },
        read: async (...args) => {
          await guard();
          return real.read(...args);
        },
      };
    };
    const deps = { ...t.deps, providers: { for: outage } };
    const { access_code, action_attempt } = await t.create({ device_id: t.ws.byType('kwikset_lock').device_id });
    for (let i = 0; i < 120; i++) {
      t.clock.advance(60_000);
      await pollDueCodes(deps);
    }
    const during = await t.get(access_code.access_code_id);
    expect(during.status).toBe('setting');
    expect(during.errors).toEqual([]);
    expect(await getActionAttempt(t.deps, t.ws.principal, action_attempt.action_attempt_id)).toMatchObject({ status: 'pending' });
    // Backoff: two hours of one-minute ticks reach the provider far fewer than 120 times.
    expect(calls).toBeLessThan(40);
    down = false;
    for (let i = 0; i < 8; i++) {
      t.clock.advance(60_000);
      await pollDueCodes(deps);
    }
    expect(await t.get(access_code.access_code_id)).toMatchObject({ status: 'set', errors: [] });
  });

  it('shows the errors and warnings a provider reports on a code, and drops them once it stops', async () => {
    const t = await setup();
    let report: Pick<KeypadEntry, 'errors' | 'warnings'> = { warnings: [{ code: 'third_party_integration_detected', message: 'Another integration manages codes' }] };
    const reporting = (device: DeviceRecord): LockProvider => {
      const real = t.deps.providers.for(device);
      return {
        ...real,
        read: async (...args) => {
          const entry = await real.read(...args);
          return entry && { ...entry, ...report, provider_ref: 'upstream-1' };
        },
      };
    };
    const deps = { ...t.deps, providers: { for: reporting } };
    const { access_code } = await t.create({ device_id: t.ws.byType('kwikset_lock').device_id });
    for (let i = 0; i < 5; i++) {
      t.clock.advance(1000);
      await pollDueCodes(deps);
    }
    expect(await t.get(access_code.access_code_id)).toMatchObject({ status: 'set', warnings: [expect.objectContaining({ warning_code: 'third_party_integration_detected' })] });
    expect((await t.deps.accessCodes.get(t.ws.workspaceId, access_code.access_code_id))?.provider_ref).toBe('upstream-1');
    report = {};
    await updateAccessCode(t.deps, t.ws.principal, { access_code_id: access_code.access_code_id, code: '5938' });
    for (let i = 0; i < 5; i++) {
      t.clock.advance(1000);
      await pollDueCodes(deps);
    }
    expect(await t.get(access_code.access_code_id)).toMatchObject({ status: 'set', warnings: [] });
  });

  it('retries a flaky lock until the code is set', async () => {
    let n = 0;
    const t = await setup({ random: () => (n++ % 3 === 0 ? 1 : 0) });
    const lock = t.ws.devices.find((d) => d.device.display_name === 'Flaky Door')?.device;
    if (!lock) throw new Error('no Flaky Door lock');
    const { access_code } = await t.create({ device_id: lock.device_id });
    await t.run(120);
    expect((await t.get(access_code.access_code_id)).status).toBe('set');
  });
});

class Crash extends Error {}

/** Deps whose stores and lock provider throw once, at the `failAt`-th call. */
function crashingAt(deps: AppDeps, failAt: number): AppDeps {
  let calls = 0;
  const wrap = <T extends object>(target: T): T =>
    new Proxy(target, {
      get(obj, prop, receiver) {
        const value = Reflect.get(obj, prop, receiver);
        if (typeof value !== 'function') return value;
        return async (...args: unknown[]) => {
          if (++calls === failAt) throw new Crash(`crash at call ${failAt}`);
          const result = await value.apply(obj, args);
          if (++calls === failAt) throw new Crash(`crash after call ${failAt}`);
          return result;
        };
      },
    });
  const lockCalls = (provider: LockProvider): LockProvider => {
    const calls = wrap({ program: provider.program, remove: provider.remove, read: provider.read });
    return { ...provider, program: calls.program, remove: calls.remove, read: calls.read };
  };
  return {
    ...deps,
    accessCodes: wrap(deps.accessCodes),
    actionAttempts: wrap(deps.actionAttempts),
    providers: { for: (device) => lockCalls(deps.providers.for(device)) },
  };
}

/** A publisher that fails on its `failAt`-th call, after recording into `published` on the others. */
function publisherFailingAt(failAt: number, published: SeamEvent[]): EventPublisher {
  let calls = 0;
  return {
    async publish(events) {
      if (++calls === failAt) throw new Crash(`publish crash at call ${failAt}`);
      published.push(...events);
    },
  };
}

describe('crash safety', () => {
  it('converges to the same end state whatever line the poller dies at', async () => {
    for (let failAt = 1; failAt <= 24; failAt++) {
      const t = await setup();
      const lock = t.ws.byType('smartthings_lock');
      const now = t.clock.now().getTime();
      const { access_code, action_attempt } = await t.create({ device_id: lock.device_id, starts_at: new Date(now + 1000).toISOString(), ends_at: new Date(now + 20_000).toISOString() });
      const crashing = crashingAt(t.deps, failAt);
      for (let i = 0; i < 8; i++) {
        t.clock.advance(1000);
        await pollDueCodes(crashing).catch(() => {});
      }
      // Mid-window: the code must be on the lock and set, whatever crashed.
      await t.run(4);
      expect((await t.get(access_code.access_code_id)).status).toBe('set');
      expect(await t.onLock(lock.device_id, access_code.access_code_id)).toBeDefined();
      expect(await getActionAttempt(t.deps, t.ws.principal, action_attempt.action_attempt_id)).toMatchObject({ status: 'success' });
      // Past ends_at: gone from the store and from the lock.
      for (let i = 0; i < 12; i++) {
        t.clock.advance(1000);
        await pollDueCodes(crashingAt(t.deps, failAt)).catch(() => {});
      }
      await t.run(6);
      expect(await isGone(t.get(access_code.access_code_id))).toBe(true);
      expect(await t.onLock(lock.device_id, access_code.access_code_id)).toBeUndefined();
      expect(t.types().filter((e) => e === 'access_code.set_on_device').length).toBeGreaterThanOrEqual(1);
    }
  });

  it('publishes every stored event at least once, whichever publish fails between commit and bus', async () => {
    for (let failAt = 1; failAt <= 8; failAt++) {
      const t = await setup();
      const published: SeamEvent[] = [];
      t.outbox.relayTo(publisherFailingAt(failAt, published));
      const lock = t.ws.byType('kwikset_lock');
      const { access_code } = await t.create({ device_id: lock.device_id });
      await t.run(4);
      await deleteAccessCode(t.deps, t.ws.principal, { access_code_id: access_code.access_code_id });
      await t.run(4);
      // The next tick's flush publishes what the failed publish left in the outbox.
      await t.outbox.flush();
      expect(t.outbox.size).toBe(0);
      const stored = await t.deps.events.list(t.ws.workspaceId, { since: '2000-01-01T00:00:00.000Z', limit: 1000 });
      expect(stored.length).toBeGreaterThanOrEqual(4);
      const publishedIds = new Set(published.map((e) => e.event_id));
      expect(stored.filter((e) => !publishedIds.has(e.event_id))).toEqual([]);
    }
  });
});
