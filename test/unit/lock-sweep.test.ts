import { createAccessCode } from '../../lib/access-codes/create-access-code';
import { getAccessCode } from '../../lib/access-codes/get-access-code';
import { createAccessCodeInputSchema } from '../../lib/access-codes/schemas';
import { type LockProvider, ProviderError } from '../../lib/devices/lock-provider';
import type { DeviceRecord } from '../../lib/devices/schemas';
import { simulateExternalChange } from '../../lib/access-codes/simulate-external-change';
import { pollDueCodes } from '../../lib/engine/poll-due-codes';
import { simulateConnection } from '../../lib/devices/device-queries';
import { nextSweepAt } from '../../lib/engine/lock-sweep';
import { memoryApp, sandboxWorkspace } from '../support/memory-app';

const minute = 60_000;

describe('the sweep of idle locks', () => {
  it('finds a silent change at an idle lock within one sweep interval and puts the PIN back; an unchanged lock changes nothing but its verification time', async () => {
    const app = memoryApp({ latencyMs: 500 });
    const deps = { ...app.deps, settings: { ...app.deps.settings, lockSweepMs: minute } };
    const ws = await sandboxWorkspace(deps);
    const lock = ws.byType('kwikset_lock');
    const { access_code } = await createAccessCode(deps, ws.principal, createAccessCodeInputSchema.parse({ device_id: lock.device_id, code: '5729' }));
    const tick = async (times: number, ms: number) => {
      for (let i = 0; i < times; i++) {
        app.clock.advance(ms);
        await pollDueCodes(deps);
      }
    };
    await tick(4, 1000);
    const set = await deps.accessCodes.get(ws.workspaceId, access_code.access_code_id);
    expect(set?.access_code.status).toBe('set');

    // A whole interval with nothing changed at the lock: nothing about the code changes but when it was last verified (at most one write).
    await tick(13, 5000);
    const quiet = await deps.accessCodes.get(ws.workspaceId, access_code.access_code_id);
    expect(quiet?.version).toBeLessThanOrEqual((set?.version ?? 0) + 1);
    expect({ ...quiet?.access_code, last_verified_at: undefined }).toEqual({ ...set?.access_code, last_verified_at: undefined });

    await simulateExternalChange(deps, ws.principal, { access_code_id: access_code.access_code_id, change_type: 'modified', code: '1357', silent: true });
    // Nothing announced it: the code is not made due.
    expect((await deps.accessCodes.get(ws.workspaceId, access_code.access_code_id))?.due_at).toBeUndefined();
    await tick(14, 5000);
    const events = await deps.events.list(ws.workspaceId, { limit: 50, access_code_id: access_code.access_code_id, event_type: 'access_code.modified_external_to_seam' });
    expect(events).toHaveLength(1);
    // Putting the PIN back takes the lock's latency after the sweep found the change.
    await tick(4, 1000);
    expect(await getAccessCode(deps, ws.principal, { access_code_id: access_code.access_code_id })).toMatchObject({ code: '5729', status: 'set' });
  });

  it('keeps last_verified_at: read back when set, moved on by sweeps; a lock unread for two intervals warns on its set codes, and a read clears it', async () => {
    const app = memoryApp({ latencyMs: 500 });
    // While `unreadable`, the lock's keypad cannot be listed (its provider answers device_offline).
    let unreadable = false;
    const providers = {
      ...app.deps.providers,
      for: (device: DeviceRecord): LockProvider => {
        const provider = app.deps.providers.for(device);
        if (!unreadable) return provider;
        return {
          name: provider.name,
          traits: (d) => provider.traits(d),
          program: (d, e, h) => provider.program(d, e, h),
          remove: (d, h) => provider.remove(d, h),
          read: (d, h) => provider.read(d, h),
          listEntries: async () => {
            throw new ProviderError('device_offline', 'The lock is offline');
          },
        };
      },
    };
    const deps = { ...app.deps, providers, settings: { ...app.deps.settings, lockSweepMs: minute } };
    const ws = await sandboxWorkspace(deps);
    const lock = ws.byType('kwikset_lock');
    const { access_code } = await createAccessCode(deps, ws.principal, createAccessCodeInputSchema.parse({ device_id: lock.device_id, code: '5729' }));
    const current = async () => getAccessCode(deps, ws.principal, { access_code_id: access_code.access_code_id });
    const tick = async (times: number, ms: number) => {
      for (let i = 0; i < times; i++) {
        app.clock.advance(ms);
        await pollDueCodes(deps);
      }
    };
    await tick(4, 1000);
    const set = await current();
    expect(set.status).toBe('set');
    // The read-back that settled it verified it.
    expect(set.last_verified_at).toBeDefined();
    expect(Date.parse(set.last_verified_at ?? '')).toBeLessThanOrEqual(app.clock.now().getTime());

    // Three intervals later, sweeps have seen it again: never more than one and a half intervals ago.
    await tick(36, 5000);
    const swept = await current();
    expect(app.clock.now().getTime() - Date.parse(swept.last_verified_at ?? '')).toBeLessThanOrEqual(1.5 * minute);
    expect(swept.warnings).toEqual([]);

    // The lock cannot be read for three intervals: the code is flagged, once, naming why.
    unreadable = true;
    await tick(36, 5000);
    const stale = await current();
    expect(stale.status).toBe('set');
    expect(stale.warnings).toEqual([expect.objectContaining({ warning_code: 'unknown_issue_with_access_code', message: expect.stringContaining('two sweep intervals') })]);
    expect(app.clock.now().getTime() - Date.parse(stale.last_verified_at ?? '')).toBeGreaterThan(2 * minute);

    // Back online: the next sweep sees it as left, clears the warning and moves last_verified_at on.
    unreadable = false;
    await tick(13, 5000);
    const back = await current();
    expect(back.warnings).toEqual([]);
    expect(app.clock.now().getTime() - Date.parse(back.last_verified_at ?? '')).toBeLessThanOrEqual(minute + 5000);
  });

  it('does not count an offline lock as seen, whatever its provider still lists for it: its set codes warn after two intervals, and clear once it is back', async () => {
    const app = memoryApp({ latencyMs: 500 });
    const deps = { ...app.deps, settings: { ...app.deps.settings, lockSweepMs: minute } };
    const ws = await sandboxWorkspace(deps);
    const lock = ws.byType('kwikset_lock');
    const { access_code } = await createAccessCode(deps, ws.principal, createAccessCodeInputSchema.parse({ device_id: lock.device_id, code: '5729' }));
    const current = async () => getAccessCode(deps, ws.principal, { access_code_id: access_code.access_code_id });
    const tick = async (times: number, ms: number) => {
      for (let i = 0; i < times; i++) {
        app.clock.advance(ms);
        await pollDueCodes(deps);
      }
    };
    await tick(4, 1000);
    expect((await current()).status).toBe('set');

    await simulateConnection(deps, ws.principal, lock.device_id, false);
    await tick(36, 5000);
    expect((await current()).warnings).toEqual([expect.objectContaining({ warning_code: 'unknown_issue_with_access_code', message: expect.stringContaining('two sweep intervals') })]);

    await simulateConnection(deps, ws.principal, lock.device_id, true);
    await tick(13, 5000);
    expect((await current()).warnings).toEqual([]);
  });

  it('gives 600 locks that join at once their places in the interval without reading them, then reads each once an interval, a twelfth at a time', async () => {
    const app = memoryApp({ latencyMs: 500 });
    const reads = new Map<string, number>();
    const providers = {
      ...app.deps.providers,
      for: (device: DeviceRecord): LockProvider => {
        const provider = app.deps.providers.for(device);
        return {
          name: provider.name,
          traits: (d) => provider.traits(d),
          program: (d, e, h) => provider.program(d, e, h),
          remove: (d, h) => provider.remove(d, h),
          read: (d, h) => provider.read(d, h),
          listEntries: async (d) => {
            reads.set(d.device.device_id, (reads.get(d.device.device_id) ?? 0) + 1);
            return provider.listEntries?.(d) ?? [];
          },
        };
      },
    };
    const deps = { ...app.deps, providers, settings: { ...app.deps.settings, lockSweepMs: minute } };
    const ws = await sandboxWorkspace(deps);
    const template = ws.byType('kwikset_lock');
    const joined = (await deps.devices.get(ws.workspaceId, template.device_id)) as DeviceRecord;
    const ids = Array.from({ length: 600 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    for (const device_id of ids) await deps.devices.put({ ...joined, device: { ...joined.device, device_id } });
    const readsOf = (id: string) => reads.get(id) ?? 0;

    app.clock.advance(1000);
    await pollDueCodes(deps);
    expect(ids.filter((id) => readsOf(id) > 0)).toEqual([]);

    // One interval in ticks of 5 s: every lock read exactly once, no tick reading much more than a twelfth (50).
    const perTick: number[] = [];
    for (let i = 0; i < 12; i++) {
      const before = ids.reduce((n, id) => n + readsOf(id), 0);
      app.clock.advance(5000);
      await pollDueCodes(deps);
      perTick.push(ids.reduce((n, id) => n + readsOf(id), 0) - before);
    }
    expect(ids.filter((id) => readsOf(id) !== 1)).toEqual([]);
    expect(Math.max(...perTick)).toBeLessThan(100);
  });

  it('reads the idle locks of a tick side by side, and one lock that fails holds back none of the others', async () => {
    const app = memoryApp({ latencyMs: 500 });
    const reads = new Set<string>();
    let reading = 0;
    let mostAtOnce = 0;
    const ids = Array.from({ length: 40 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    const broken = ids[7];
    const providers = {
      ...app.deps.providers,
      for: (device: DeviceRecord): LockProvider => {
        const provider = app.deps.providers.for(device);
        return {
          ...provider,
          listEntries: async (d) => {
            reading++;
            mostAtOnce = Math.max(mostAtOnce, reading);
            // A turn of the event loop, as a lock's answer takes: others start meanwhile if they may.
            await new Promise((resolve) => setImmediate(resolve));
            reading--;
            if (d.device.device_id === broken) throw new Error('the lock answered garbage');
            reads.add(d.device.device_id);
            return provider.listEntries?.(d) ?? [];
          },
        };
      },
    };
    const deps = { ...app.deps, providers, settings: { ...app.deps.settings, lockSweepMs: minute } };
    const ws = await sandboxWorkspace(deps);
    const template = (await deps.devices.get(ws.workspaceId, ws.byType('kwikset_lock').device_id)) as DeviceRecord;
    for (const device_id of ids) await deps.devices.put({ ...template, device: { ...template.device, device_id } });
    app.clock.advance(1000);
    await pollDueCodes(deps);

    app.clock.advance(minute);
    const tick = await pollDueCodes(deps, { concurrency: 1 });
    expect(mostAtOnce).toBeGreaterThan(1);
    expect(tick.failed).toBe(1);
    expect(ids.filter((id) => id !== broken && !reads.has(id))).toEqual([]);
  });

  it('spreads 10,000 locks (ids in sequence, as a worst case) evenly over the interval: each minute of an hour gets about a sixtieth', () => {
    const now = new Date('2026-11-23T12:00:00.000Z');
    const perMinute = new Array<number>(60).fill(0);
    for (let i = 0; i < 10_000; i++) {
      const at = Date.parse(nextSweepAt(`00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, 60 * minute, now));
      expect(at).toBeGreaterThan(now.getTime());
      expect(at).toBeLessThanOrEqual(now.getTime() + 60 * minute);
      const slot = Math.floor((at - now.getTime() - 1) / minute);
      perMinute[slot] = (perMinute[slot] ?? 0) + 1;
    }
    // 166.7 a minute on average; a fair hash keeps every minute within a third of it.
    expect(Math.min(...perMinute)).toBeGreaterThan(110);
    expect(Math.max(...perMinute)).toBeLessThan(225);
  });
});
