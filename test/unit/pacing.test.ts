import { createAccessCode } from '../../lib/access-codes/create-access-code';
import { createAccessCodeInputSchema } from '../../lib/access-codes/schemas';
import { memoryCallPacing, slidingTake } from '../../lib/adapters/memory-call-pacing';
import { stableDeviceId } from '../../lib/devices/derived-ids';
import { type LockProvider, ProviderError } from '../../lib/devices/lock-provider';
import type { DeviceRecord } from '../../lib/devices/schemas';
import { pollDueCodes } from '../../lib/engine/poll-due-codes';
import { reconcileAccessCode, turnsFor } from '../../lib/engine/reconcile';
import { directTurns, waitingLines } from '../../lib/engine/turns';
import { dueShardOf, dueShardOfCode } from '../../lib/engine/due-shards';
import type { AccessCodeRecord } from '../../lib/access-codes/schemas';
import { connectSeamAccount } from '../../lib/providers/seam';
import { memoryApp, sandboxWorkspace } from '../support/memory-app';
import { memorySeamUpstream } from '../support/memory-seam-upstream';

const upstreamLock = (id: string) => ({
  device_id: id,
  device_type: 'august_lock',
  display_name: `Lock ${id}`,
  can_program_online_access_codes: true,
  capabilities_supported: ['lock', 'access_code'],
  properties: { name: `Lock ${id}`, online: true, supported_code_lengths: [6], max_active_codes_supported: 100 },
});

/** The app's providers, each program call recorded (device, code, when) and each read moving the clock on by `readMs`. */
function recordingProviders(app: ReturnType<typeof memoryApp>, readMs = 0) {
  const calls: { device: string; code: string; at: number }[] = [];
  const providers = {
    ...app.deps.providers,
    for: (device: DeviceRecord): LockProvider => {
      const provider = app.deps.providers.for(device);
      return {
        name: provider.name,
        traits: (d) => provider.traits(d),
        program: (d, e, h) => {
          calls.push({ device: d.device.device_id, code: h.access_code_id, at: app.clock.now().getTime() });
          return provider.program(d, e, h);
        },
        remove: (d, h) => provider.remove(d, h),
        read: (d, h) => {
          app.clock.advance(readMs);
          return provider.read(d, h);
        },
      };
    },
  };
  return { deps: { ...app.deps, providers }, calls };
}

describe('pacing per lock (Seam: 10 creations a minute per device)', () => {
  it('sends 50 codes created at once for one lock no faster than the limit, fails none, and leaves another lock unhindered', async () => {
    const upstream = memorySeamUpstream([upstreamLock('front'), upstreamLock('back')]);
    const app = memoryApp({ seamUpstream: upstream.factory });
    const ws = await sandboxWorkspace(app.deps);
    const { connected_account_id } = await connectSeamAccount(app.deps, { workspaceId: ws.workspaceId, apiKey: 'seam_upstream_key_123456', endpoint: 'https://seam.example' });
    const front = stableDeviceId(connected_account_id, 'front');
    const back = stableDeviceId(connected_account_id, 'back');
    const pins = Array.from({ length: 50 }, (_, i) => String(100_000 + i * 7919).slice(0, 6));
    for (const code of pins) await createAccessCode(app.deps, ws.principal, createAccessCodeInputSchema.parse({ device_id: front, code }));
    await createAccessCode(app.deps, ws.principal, createAccessCodeInputSchema.parse({ device_id: back, code: '987654' }));

    const upstreamOf = (device: string) => [...upstream.codes.values()].filter((c) => c.device_id === device).length;
    const perMinute: number[] = [];
    let before = 0;
    for (let minute = 0; minute < 6; minute++) {
      for (let tick = 0; tick < 6; tick++) {
        await pollDueCodes(app.deps);
        app.clock.advance(10_000);
      }
      const now = upstreamOf('front');
      perMinute.push(now - before);
      before = now;
      // The other lock's code went out in the first minute, whatever the first lock's queue.
      if (minute === 0) expect(upstreamOf('back')).toBe(1);
    }
    expect(perMinute).toEqual([10, 10, 10, 10, 10, 0]);
    expect(upstream.creates).toBe(51);
    const codes = await app.deps.accessCodes.list(ws.workspaceId, { deviceId: front, limit: 100 });
    expect(codes.items.every((c) => c.access_code.errors.length === 0 && c.sync?.attempts !== undefined && c.sync.attempts <= 1)).toBe(true);
  });

  it("makes one upstream create when a code's own step, a second copy of it and a poller tick take the code at once", async () => {
    const upstream = memorySeamUpstream([upstreamLock('front')]);
    const app = memoryApp({ seamUpstream: upstream.factory });
    const ws = await sandboxWorkspace(app.deps);
    const { connected_account_id } = await connectSeamAccount(app.deps, { workspaceId: ws.workspaceId, apiKey: 'seam_upstream_key_123456', endpoint: 'https://seam.example' });
    const created = await createAccessCode(app.deps, ws.principal, createAccessCodeInputSchema.parse({ device_id: stableDeviceId(connected_account_id, 'front'), code: '482913' }));
    const id = created.access_code.access_code_id;
    const { deps, calls } = recordingProviders(app);
    await Promise.all([reconcileAccessCode(deps, ws.workspaceId, id), reconcileAccessCode(deps, ws.workspaceId, id), pollDueCodes(deps)]);
    expect(calls).toHaveLength(1);
    expect(upstream.creates).toBe(1);
    // The step that made the call wrote what it made; the others left the code to it.
    const record = await app.deps.accessCodes.get(ws.workspaceId, id);
    expect(record?.provider_ref).toBe([...upstream.codes.values()][0]?.access_code_id);
    expect(record?.sync?.attempts).toBe(1);
  });

  it('gives a sandbox lock one command at a time (one code call per latency window), fails none, and leaves another lock unhindered', async () => {
    const app = memoryApp({ latencyMs: 1000 });
    const calls: { device: string; at: number }[] = [];
    const providers = {
      ...app.deps.providers,
      for: (device: DeviceRecord): LockProvider => {
        const provider = app.deps.providers.for(device);
        return {
          name: provider.name,
          traits: (d) => provider.traits(d),
          program: (d, e, h) => {
            calls.push({ device: d.device.device_id, at: app.clock.now().getTime() });
            return provider.program(d, e, h);
          },
          remove: (d, h) => provider.remove(d, h),
          read: (d, h) => provider.read(d, h),
        };
      },
    };
    const deps = { ...app.deps, providers };
    const ws = await sandboxWorkspace(deps);
    const front = ws.byType('kwikset_lock').device_id;
    const back = ws.byType('schlage_lock').device_id;
    expect(deps.providers.for((await deps.devices.get(ws.workspaceId, front)) as DeviceRecord).traits((await deps.devices.get(ws.workspaceId, front)) as DeviceRecord).callLimits).toEqual({
      any: { calls: 1, perMs: 1000 },
    });
    const pins = ['1357', '2468', '3579', '4680', '5791'];
    for (const code of pins) await createAccessCode(deps, ws.principal, createAccessCodeInputSchema.parse({ device_id: front, code }));
    await createAccessCode(deps, ws.principal, createAccessCodeInputSchema.parse({ device_id: back, code: '9753' }));
    for (let tick = 0; tick < 80; tick++) {
      await pollDueCodes(deps);
      app.clock.advance(100);
    }
    const onFront = calls.filter((c) => c.device === front).map((c) => Math.floor(c.at / 1000));
    expect(onFront).toHaveLength(pins.length);
    // Never two calls to the lock in one window: each waits for the one before it.
    expect(new Set(onFront).size).toBe(pins.length);
    // The other lock's code went out at once, whatever the first lock's queue.
    expect(calls.find((c) => c.device === back)?.at).toBe(calls[0]?.at);
    const codes = await deps.accessCodes.list(ws.workspaceId, { deviceId: front, limit: 10 });
    expect(codes.items.map((c) => c.access_code.status)).toEqual(pins.map(() => 'set'));
    expect(codes.items.every((c) => c.access_code.errors.length === 0 && (c.sync?.attempts ?? 0) <= 1)).toBe(true);
  });

  it("tells codes a lock's limit refuses one step at a time (follow-ups) each a window of its own, so 20 codes take about 3 steps each, not n² / 2", async () => {
    const app = memoryApp({ latencyMs: 1000 });
    const { deps, calls } = recordingProviders(app);
    const ws = await sandboxWorkspace(deps);
    const front = ws.byType('kwikset_lock').device_id;
    const pins = Array.from({ length: 20 }, (_, i) => String(2000 + i * 37));
    for (const code of pins) await createAccessCode(deps, ws.principal, createAccessCodeInputSchema.parse({ device_id: front, code }));
    // Each code stepped on its own when due, as the follow-up runner does, 100 ms at a time.
    let steps = 0;
    for (let t = 0; t < 60_000; t += 100) {
      const now = app.clock.now().toISOString();
      for (const due of await deps.accessCodes.listDue(dueShardOf(front), now, 100)) {
        steps++;
        await reconcileAccessCode(deps, ws.workspaceId, due.access_code.access_code_id);
      }
      app.clock.advance(100);
    }
    const codes = await deps.accessCodes.list(ws.workspaceId, { deviceId: front, limit: 100 });
    expect(codes.items.map((c) => c.access_code.status)).toEqual(pins.map(() => 'set'));
    const windows = calls.filter((c) => c.device === front).map((c) => Math.floor(c.at / 1000));
    expect(windows).toHaveLength(pins.length);
    expect(new Set(windows).size).toBe(pins.length);
    // A first step, the one its turn came at, and the look that confirms it; all refused at the
    // next opening (the rest asking again each window) took 230 steps.
    expect(steps).toBeLessThanOrEqual(3 * pins.length + 5);
  });

  it('dates a turn when it is taken, after the step read the lock, not when the step began', async () => {
    const app = memoryApp({ latencyMs: 1000 });
    const taken: { at: string; clock: string }[] = [];
    const pacing = {
      take: (key: string, limit: { calls: number; perMs: number }, at: Date) => {
        taken.push({ at: at.toISOString(), clock: app.clock.now().toISOString() });
        return app.deps.pacing.take(key, limit, at);
      },
    };
    // A lock whose read takes 20 s: the step's own time is 20 s old by the time it calls the lock.
    const providers = {
      ...app.deps.providers,
      for: (device: DeviceRecord): LockProvider => {
        const provider = app.deps.providers.for(device);
        return {
          name: provider.name,
          traits: (d) => provider.traits(d),
          program: (d, e, h) => provider.program(d, e, h),
          remove: (d, h) => provider.remove(d, h),
          read: async (d, h) => {
            app.clock.advance(20_000);
            return provider.read(d, h);
          },
        };
      },
    };
    const deps = { ...app.deps, providers, pacing };
    const ws = await sandboxWorkspace(deps);
    const started = app.clock.now().toISOString();
    await createAccessCode(deps, ws.principal, createAccessCodeInputSchema.parse({ device_id: ws.byType('kwikset_lock').device_id, code: '1357' }));
    await pollDueCodes(deps);
    expect(taken.length).toBeGreaterThan(0);
    for (const turn of taken) {
      expect(turn.at).toBe(turn.clock);
      expect(turn.at > started).toBe(true);
    }
  });

  it('sends 50 codes held back at one lock in the order they fell due, no faster than the limit, each waiting for its own turn only', async () => {
    const upstream = memorySeamUpstream([upstreamLock('front')]);
    const app = memoryApp({ seamUpstream: upstream.factory });
    const { deps, calls } = recordingProviders(app);
    const ws = await sandboxWorkspace(deps);
    const { connected_account_id } = await connectSeamAccount(deps, { workspaceId: ws.workspaceId, apiKey: 'seam_upstream_key_123456', endpoint: 'https://seam.example' });
    const front = stableDeviceId(connected_account_id, 'front');
    // Due a second apart; their ids (and so their due shards) are in no particular order.
    const dueOrder: string[] = [];
    for (let i = 0; i < 50; i++) {
      const code = String(100_000 + i * 7919).slice(0, 6);
      dueOrder.push((await createAccessCode(deps, ws.principal, createAccessCodeInputSchema.parse({ device_id: front, code }))).access_code.access_code_id);
      app.clock.advance(1000);
    }
    const minuteOf = (at: number) => Math.floor((at - Date.parse('2026-11-23T12:00:00.000Z')) / 60_000);
    for (let tick = 0; tick < 36; tick++) {
      await pollDueCodes(deps);
      app.clock.advance(10_000);
    }
    expect(calls.map((c) => c.code)).toEqual(dueOrder);
    const perMinute = [0, 1, 2, 3, 4, 5].map((m) => calls.filter((c) => minuteOf(c.at) === m).length);
    expect(perMinute).toEqual([10, 10, 10, 10, 10, 0]);
    const codes = await deps.accessCodes.list(ws.workspaceId, { deviceId: front, limit: 100 });
    expect(codes.items.every((c) => c.access_code.errors.length === 0 && c.sync?.attempts === 1 && c.queued_since === undefined)).toBe(true);
  });

  it("keeps a waiting code in its lock's due shard with the time it first fell due, until its call is made", async () => {
    const upstream = memorySeamUpstream([upstreamLock('front')]);
    const app = memoryApp({ seamUpstream: upstream.factory });
    const ws = await sandboxWorkspace(app.deps);
    const { connected_account_id } = await connectSeamAccount(app.deps, { workspaceId: ws.workspaceId, apiKey: 'seam_upstream_key_123456', endpoint: 'https://seam.example' });
    const front = stableDeviceId(connected_account_id, 'front');
    const ids: string[] = [];
    for (let i = 0; i < 11; i++)
      ids.push((await createAccessCode(app.deps, ws.principal, createAccessCodeInputSchema.parse({ device_id: front, code: String(200_000 + i) }))).access_code.access_code_id);
    const createdAt = app.clock.now().toISOString();
    app.clock.advance(5000);
    await pollDueCodes(app.deps);
    const records = await Promise.all(ids.map((id) => app.deps.accessCodes.get(ws.workspaceId, id)));
    const waiting = records.filter((r) => r?.queued_since !== undefined);
    expect(waiting).toHaveLength(1);
    // Due when the first of the ten calls made at 12:00:05 leaves the minute's span.
    expect(waiting[0]).toMatchObject({ queued_since: createdAt, due_at: '2026-11-23T12:01:05.000Z' });
    expect(dueShardOfCode(waiting[0] as AccessCodeRecord)).toBe(dueShardOf(front));
  });

  it('serves a workspace with one code due in the same tick as one with a thousand at its lock, and every lock of each, even when the tick runs out of time', async () => {
    const app = memoryApp({ latencyMs: 1000 });
    // Each lock read takes 5 ms of the tick's time.
    const { deps, calls } = recordingProviders(app, 5);
    const busy = await sandboxWorkspace(deps, 'Busy');
    const quiet = await sandboxWorkspace(deps, 'Quiet');
    const crowded = busy.byType('kwikset_lock').device_id;
    const other = busy.byType('schlage_lock').device_id;
    const alone = quiet.byType('kwikset_lock').device_id;
    for (let i = 0; i < 999; i++) await createAccessCode(deps, busy.principal, createAccessCodeInputSchema.parse({ device_id: crowded }));
    await createAccessCode(deps, busy.principal, createAccessCodeInputSchema.parse({ device_id: other, code: '2468' }));
    await createAccessCode(deps, quiet.principal, createAccessCodeInputSchema.parse({ device_id: alone, code: '1357' }));
    const start = app.clock.now().getTime();
    const tick = await pollDueCodes(deps, { deadline: start + 1000 });
    // The tick ran out of time before it reached every code (it left them due for the next).
    expect(tick.deferred).toBeGreaterThan(0);
    const served = new Set(calls.map((c) => c.device));
    expect(served).toEqual(new Set([crowded, other, alone]));
    // One call in the crowded lock's window, as its limit says.
    expect(calls.filter((c) => c.device === crowded)).toHaveLength(1);
  });

  it("takes a turn of the account's (or hub's) limit as well as the device's, so two locks behind one account share it", async () => {
    const upstream = memorySeamUpstream([upstreamLock('front'), upstreamLock('back')]);
    const app = memoryApp({ seamUpstream: upstream.factory });
    const base = recordingProviders(app);
    // The Seam provider's limits, with a limit of 3 creations a minute per connected account added.
    const providers = {
      for: (device: DeviceRecord): LockProvider => {
        const provider = base.deps.providers.for(device);
        return { ...provider, traits: (d) => ({ ...provider.traits(d), callLimits: { ...provider.traits(d).callLimits, account: { create: { calls: 3, perMs: 60_000 } } } }) };
      },
    };
    const deps = { ...base.deps, providers };
    const ws = await sandboxWorkspace(deps);
    const { connected_account_id } = await connectSeamAccount(deps, { workspaceId: ws.workspaceId, apiKey: 'seam_upstream_key_123456', endpoint: 'https://seam.example' });
    const front = stableDeviceId(connected_account_id, 'front');
    const back = stableDeviceId(connected_account_id, 'back');
    for (let i = 0; i < 3; i++) {
      await createAccessCode(deps, ws.principal, createAccessCodeInputSchema.parse({ device_id: front, code: String(300_000 + i) }));
      await createAccessCode(deps, ws.principal, createAccessCodeInputSchema.parse({ device_id: back, code: String(400_000 + i) }));
    }
    const perMinute: number[] = [];
    for (let minute = 0; minute < 3; minute++) {
      const before = base.calls.length;
      for (let tick = 0; tick < 6; tick++) {
        await pollDueCodes(deps);
        app.clock.advance(10_000);
      }
      perMinute.push(base.calls.length - before);
    }
    expect(perMinute).toEqual([3, 3, 0]);
    // Each lock went out in its first minute: the account's turns went round the locks, not to one.
    const firstMinute = new Set(base.calls.slice(0, 3).map((c) => c.device));
    expect(firstMinute).toEqual(new Set([front, back]));
    const device = (await deps.devices.get(ws.workspaceId, front)) as DeviceRecord;
    expect(turnsFor('seam', device, 'create', providers.for(device).traits(device).callLimits ?? {}).map((t) => t.key)).toEqual([
      `seam#${ws.workspaceId}#${front}#create`,
      `seam#${ws.workspaceId}#ACCOUNT#${connected_account_id}#create`,
    ]);
  });

  it("backs a code off for a provider's busy answer at least as long as its Retry-After, counting no attempt and failing nothing", async () => {
    const app = memoryApp();
    const tries: number[] = [];
    const providers = {
      for: (device: DeviceRecord): LockProvider => {
        const provider = app.deps.providers.for(device);
        return {
          ...provider,
          program: (d, e, h) => {
            tries.push(app.clock.now().getTime());
            if (tries.length === 1) throw new ProviderError('provider_unavailable', 'The gateway is busy', { retryAfterMs: 45_000 });
            return provider.program(d, e, h);
          },
        };
      },
    };
    const deps = { ...app.deps, providers };
    const ws = await sandboxWorkspace(deps);
    const { access_code } = await createAccessCode(deps, ws.principal, createAccessCodeInputSchema.parse({ device_id: ws.byType('kwikset_lock').device_id, code: '1357' }));
    const start = app.clock.now().getTime();
    for (let tick = 0; tick < 12; tick++) {
      await pollDueCodes(deps);
      const waiting = await deps.accessCodes.get(ws.workspaceId, access_code.access_code_id);
      if (tries.length === 1) expect(waiting).toMatchObject({ due_at: new Date(start + 45_000).toISOString(), sync: { attempts: 0, outages: 1, failed: false }, access_code: { errors: [] } });
      app.clock.advance(5000);
    }
    expect(tries.map((t) => t - start)).toEqual([0, 45_000]);
    const settled = await deps.accessCodes.get(ws.workspaceId, access_code.access_code_id);
    expect(settled?.access_code).toMatchObject({ status: 'set', errors: [] });
  });

  it("lets a lock's codes take turns only in line, and gives those after a refusal the turn their place can come at without asking again", async () => {
    // Two turns, then the next from 12:01:00.
    const asked: string[] = [];
    const counted = {
      take: async (key: string) => {
        asked.push(key);
        return asked.length <= 2 ? ({ granted: true } as const) : ({ granted: false, retryAt: '2026-11-23T12:01:00.000Z' } as const);
      },
    };
    const turns = waitingLines(counted, [['a', 'b', 'c']]);
    const order: string[] = [];
    const run = async (id: string) => {
      await turns.before(id);
      order.push(id);
      turns.passed(id);
    };
    await Promise.all([run('c'), run('b'), run('a')]);
    expect(order).toEqual(['a', 'b', 'c']);

    const limit = { calls: 2, perMs: 60_000 };
    const at = new Date('2026-11-23T12:00:30.000Z');
    const answers = [];
    for (let i = 0; i < 7; i++) answers.push(await turns.take('lock', limit, at, { id: `code-${i}@1`, holdMs: 60_000 }));
    expect(answers).toEqual([
      { granted: true },
      { granted: true },
      { granted: false, retryAt: '2026-11-23T12:01:00.000Z' },
      { granted: false, retryAt: '2026-11-23T12:01:00.000Z' },
      { granted: false, retryAt: '2026-11-23T12:02:00.000Z' },
      { granted: false, retryAt: '2026-11-23T12:02:00.000Z' },
      { granted: false, retryAt: '2026-11-23T12:03:00.000Z' },
    ]);
    // Once refused, the tick asks the pacing no more for that limit.
    expect(asked).toHaveLength(3);
  });

  it('tells each code refused one step at a time its own window once: a code refused again for the same opening keeps its place', async () => {
    const refusing = { take: async () => ({ granted: false, retryAt: '2026-11-23T12:01:00.000Z' }) as const };
    const turns = directTurns(refusing);
    const limit = { calls: 2, perMs: 60_000 };
    const at = new Date('2026-11-23T12:00:30.000Z');
    const ask = async (code: string, version: number) => turns.take('lock', limit, at, { id: `${code}@${version}`, holdMs: 60_000 });
    const retries = [];
    for (const [code, version] of [
      ['a', 1],
      ['b', 1],
      ['a', 2],
      ['c', 1],
      ['a', 3],
      ['b', 2],
      ['d', 1],
      ['e', 1],
    ] as const) {
      const turn = await ask(code, version);
      retries.push(turn.granted ? 'granted' : turn.retryAt);
    }
    expect(retries).toEqual([
      // a and b: the opening; a and b asking again: the same; c and d: a window later; e: two.
      '2026-11-23T12:01:00.000Z',
      '2026-11-23T12:01:00.000Z',
      '2026-11-23T12:01:00.000Z',
      '2026-11-23T12:02:00.000Z',
      '2026-11-23T12:01:00.000Z',
      '2026-11-23T12:01:00.000Z',
      '2026-11-23T12:02:00.000Z',
      '2026-11-23T12:03:00.000Z',
    ]);
  });

  it('counts calls per key over a sliding span and says when the oldest grant leaves it', async () => {
    const pacing = memoryCallPacing();
    const limit = { calls: 2, perMs: 60_000 };
    const at = new Date('2026-11-23T12:00:30.000Z');
    expect(await pacing.take('k', limit, at)).toEqual({ granted: true });
    expect(await pacing.take('k', limit, at)).toEqual({ granted: true });
    expect(await pacing.take('k', limit, at)).toEqual({ granted: false, retryAt: '2026-11-23T12:01:30.000Z' });
    expect(await pacing.take('other', limit, at)).toEqual({ granted: true });
    // A minute boundary opens nothing: the span is the last 60 s, wherever it starts.
    expect(await pacing.take('k', limit, new Date('2026-11-23T12:01:00.000Z'))).toEqual({ granted: false, retryAt: '2026-11-23T12:01:30.000Z' });
    expect(await pacing.take('k', limit, new Date('2026-11-23T12:01:30.000Z'))).toEqual({ granted: true });
  });

  it('never grants more than the limit in any span of perMs across a minute boundary (10 at 00:59, none at 01:00)', async () => {
    const pacing = memoryCallPacing();
    const limit = { calls: 10, perMs: 60_000 };
    const before = new Date('2026-11-23T12:00:59.000Z');
    const after = new Date('2026-11-23T12:01:00.000Z');
    const first = await Promise.all(Array.from({ length: 10 }, () => pacing.take('k', limit, before)));
    expect(first.every((a) => a.granted)).toBe(true);
    const second = await Promise.all(Array.from({ length: 10 }, () => pacing.take('k', limit, after)));
    expect(second).toEqual(second.map(() => ({ granted: false, retryAt: '2026-11-23T12:01:59.000Z' })));
    expect(await pacing.take('k', limit, new Date('2026-11-23T12:01:58.999Z'))).toMatchObject({ granted: false });
    expect(await pacing.take('k', limit, new Date('2026-11-23T12:01:59.000Z'))).toEqual({ granted: true });
  });

  it('answers a refused take with the time the oldest of the last grants leaves the span', () => {
    const limit = { calls: 3, perMs: 1_000 };
    const now = new Date(10_500);
    const at = (...times: number[]) => times.map((t) => ({ at: t }));
    expect(slidingTake(at(9_000, 9_600, 10_000, 10_200), limit, now)).toEqual({ granted: false, retryAt: new Date(10_600).toISOString() });
    // A grant exactly perMs old has left the span: its place is free, and only the last `calls` grants are kept.
    expect(slidingTake(at(9_500, 10_000, 10_200), limit, now)).toEqual({ granted: true, grants: at(10_000, 10_200, 10_500) });
    expect(slidingTake(at(9_600, 10_000, 10_200), limit, now)).toEqual({ granted: false, retryAt: new Date(10_600).toISOString() });
  });

  it('grants one call to a work two workers take at once: the second is held until the hold ends, other work is not', async () => {
    const pacing = memoryCallPacing();
    const limit = { calls: 10, perMs: 60_000 };
    const work = { id: 'code-1@3', holdMs: 60_000 };
    const at = new Date('2026-11-23T12:00:00.000Z');
    expect(await pacing.take('k', limit, at, work)).toEqual({ granted: true });
    expect(await pacing.take('k', limit, new Date('2026-11-23T12:00:59.999Z'), work)).toEqual({ granted: false, retryAt: '2026-11-23T12:01:00.000Z', held: true });
    // The same code at its next version is new work; so is another code.
    expect(await pacing.take('k', limit, at, { ...work, id: 'code-1@4' })).toEqual({ granted: true });
    expect(await pacing.take('k', limit, at, { ...work, id: 'code-2@3' })).toEqual({ granted: true });
    // A worker that died holding it: the work is taken again once the hold ends.
    expect(await pacing.take('k', limit, new Date('2026-11-23T12:01:00.000Z'), work)).toEqual({ granted: true });
  });

  it("a poller tick's held turn closes nothing: the codes after it still ask the pacing", async () => {
    const pacing = memoryCallPacing();
    const limit = { calls: 10, perMs: 60_000 };
    const at = new Date('2026-11-23T12:00:00.000Z');
    await pacing.take('lock', limit, at, { id: 'a@1', holdMs: 60_000 });
    const turns = waitingLines(pacing, [['a', 'b']]);
    expect(await turns.take('lock', limit, at, { id: 'a@1', holdMs: 60_000 })).toMatchObject({ granted: false, held: true });
    expect(await turns.take('lock', limit, at, { id: 'b@1', holdMs: 60_000 })).toEqual({ granted: true });
  });
});
