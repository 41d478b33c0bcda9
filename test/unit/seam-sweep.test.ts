import { createAccessCode } from '../../lib/access-codes/create-access-code';
import { getAccessCode } from '../../lib/access-codes/get-access-code';
import { createAccessCodeInputSchema } from '../../lib/access-codes/schemas';
import { stableDeviceId } from '../../lib/devices/derived-ids';
import type { DeviceRecord } from '../../lib/devices/schemas';
import { discoverCodes } from '../../lib/engine/discover';
import { pollDueCodes } from '../../lib/engine/poll-due-codes';
import { connectSeamAccount, type SeamUpstreamFactory } from '../../lib/providers/seam';
import type { SeamEvent } from '../../lib/events/schemas';
import { memoryApp, sandboxWorkspace } from '../support/memory-app';
import { memorySeamUpstream } from '../support/memory-seam-upstream';

const minute = 60_000;

const upstreamLock = (id: string) => ({
  device_id: id,
  device_type: 'august_lock',
  display_name: `Lock ${id}`,
  can_program_online_access_codes: true,
  capabilities_supported: ['lock', 'access_code'],
  properties: { name: `Lock ${id}`, online: true, supported_code_lengths: [6], max_active_codes_supported: 10 },
});

/**
 * A Seam workspace as upstream with a sweep every minute. `beforeList` runs (once) before the
 * upstream answers its next /access_codes/list, to put something there while the listing is
 * on its way; `lists` counts the listings per upstream device.
 */
async function setup() {
  const upstream = memorySeamUpstream([upstreamLock('front'), upstreamLock('back')]);
  const lists = new Map<string, number>();
  let beforeList: (() => Promise<void>) | undefined;
  const factory: SeamUpstreamFactory = (connection) => {
    const base = upstream.factory(connection);
    return {
      ...base,
      async listAccessCodes(deviceId) {
        lists.set(deviceId, (lists.get(deviceId) ?? 0) + 1);
        const hook = beforeList;
        beforeList = undefined;
        await hook?.();
        return base.listAccessCodes(deviceId);
      },
    };
  };
  const app = memoryApp({ seamUpstream: factory });
  const deps = { ...app.deps, settings: { ...app.deps.settings, lockSweepMs: minute } };
  const ws = await sandboxWorkspace(deps);
  const { connected_account_id } = await connectSeamAccount(deps, { workspaceId: ws.workspaceId, apiKey: 'seam_upstream_key_123456', endpoint: 'https://seam.example' });
  const front = stableDeviceId(connected_account_id, 'front');
  const device = async () => (await deps.devices.get(ws.workspaceId, front)) as DeviceRecord;
  const create = (input: Record<string, unknown>) => createAccessCode(deps, ws.principal, createAccessCodeInputSchema.parse({ device_id: front, ...input }));
  const get = (id: string) => getAccessCode(deps, ws.principal, { access_code_id: id });
  const tick = async (times: number, ms: number) => {
    for (let i = 0; i < times; i++) {
      app.clock.advance(ms);
      await pollDueCodes(deps);
    }
  };
  const upstreamCodes = () => [...upstream.codes.values()].filter((c) => c.device_id === 'front');
  const unmanaged = async () => (await deps.unmanagedCodes.listByDevice(ws.workspaceId, front, { limit: 100 })).items;
  const events = (type: SeamEvent['event_type']) => deps.events.list(ws.workspaceId, { limit: 100, event_type: type });
  /** A code set through Latchkey and confirmed by the upstream. */
  const setCode = async (code: string) => {
    const { access_code } = await create({ code, name: `Guest ${code}` });
    await tick(1, 31_000);
    upstream.settleAll();
    await tick(2, 31_000);
    expect((await get(access_code.access_code_id)).status).toBe('set');
    return access_code.access_code_id;
  };
  return {
    ...app,
    deps,
    upstream,
    lists,
    ws,
    front,
    device,
    create,
    get,
    tick,
    upstreamCodes,
    unmanaged,
    events,
    setCode,
    beforeList: (hook: () => Promise<void>) => {
      beforeList = hook;
    },
  };
}

describe('Seam upstream locks in the sweep', () => {
  it("lists a lock's codes with one upstream /access_codes/list, each at its upstream id with its name and window", async () => {
    const t = await setup();
    t.upstream.codes.set('ac_1', {
      access_code_id: 'ac_1',
      device_id: 'front',
      code: '135790',
      name: 'Cleaner',
      status: 'set',
      starts_at: '2026-12-01T10:00:00Z',
      ends_at: '2026-12-02T10:00:00Z',
      errors: [],
      warnings: [],
    });
    t.upstream.codes.set('ac_2', { access_code_id: 'ac_2', device_id: 'front', code: '246801', name: null, status: 'removing', errors: [], warnings: [] });
    t.upstream.codes.set('ac_3', { access_code_id: 'ac_3', device_id: 'back', code: '111111', status: 'set', errors: [], warnings: [] });
    const device = await t.device();
    const entries = await t.deps.providers.for(device).listEntries?.(device);
    expect(entries).toEqual([
      { provider_ref: 'ac_1', code: '135790', name: 'Cleaner', starts_at: '2026-12-01T10:00:00.000Z', ends_at: '2026-12-02T10:00:00.000Z', state: 'present' },
      { provider_ref: 'ac_2', code: '246801', state: 'removing' },
    ]);
    expect(Object.fromEntries(t.lists)).toEqual({ front: 1 });
  });

  it("finds a PIN changed upstream behind Latchkey's back within one sweep interval and puts it back; then a removal, and puts the code back", async () => {
    const t = await setup();
    const id = await t.setCode('482913');
    const [upstreamCode] = t.upstreamCodes();
    if (!upstreamCode) throw new Error('no upstream code');

    // An idle minute: the sweep reads the lock (one listing) and finds it as left.
    t.lists.clear();
    await t.tick(13, 5000);
    expect(t.lists.get('front')).toBeGreaterThanOrEqual(1);
    expect(t.lists.get('front')).toBeLessThanOrEqual(2);
    expect(await t.events('access_code.modified_external_to_seam')).toHaveLength(0);

    // Changed at Seam, no webhook: nothing makes the code due until the sweep reads the lock.
    t.upstream.codes.set(upstreamCode.access_code_id, { ...upstreamCode, code: '999111' });
    await t.tick(14, 5000);
    expect(await t.events('access_code.modified_external_to_seam')).toEqual([expect.objectContaining({ access_code_id: id })]);
    await t.tick(2, 31_000);
    expect(t.upstreamCodes()).toEqual([expect.objectContaining({ access_code_id: upstreamCode.access_code_id, code: '482913' })]);
    expect(await t.get(id)).toMatchObject({ code: '482913', status: 'set' });

    // Removed at Seam: found by the sweep, and (external modification not allowed) created again.
    t.upstream.codes.delete(upstreamCode.access_code_id);
    await t.tick(14, 5000);
    expect(await t.events('access_code.deleted_external_to_seam')).toEqual([expect.objectContaining({ access_code_id: id })]);
    await t.tick(1, 31_000);
    t.upstream.settleAll();
    await t.tick(2, 31_000);
    expect(t.upstreamCodes()).toEqual([expect.objectContaining({ code: '482913', status: 'set' })]);
    expect(await t.get(id)).toMatchObject({ code: '482913', status: 'set' });
    // Latchkey's own codes were never taken for codes set outside it.
    expect(await t.unmanaged()).toEqual([]);
    expect(await t.events('access_code.unmanaged.created')).toEqual([]);
  });

  it('takes an upstream code whose PIN Seam does not show (code: null) for no change, and leaves it unverified', async () => {
    const t = await setup();
    const id = await t.setCode('482913');
    const [upstreamCode] = t.upstreamCodes();
    if (!upstreamCode) throw new Error('no upstream code');
    const before = await t.deps.accessCodes.get(t.ws.workspaceId, id);
    t.upstream.codes.set(upstreamCode.access_code_id, { ...upstreamCode, code: null });
    await discoverCodes(t.deps, await t.device(), { intervalMs: minute });
    const after = await t.deps.accessCodes.get(t.ws.workspaceId, id);
    expect(after?.due_at).toBe(before?.due_at);
    expect(after?.access_code.last_verified_at).toBe(before?.access_code.last_verified_at);
    expect(await t.unmanaged()).toEqual([]);
  });

  it('does not take a code Latchkey is still creating upstream (its upstream id not yet written back) for an unmanaged one, and adopts it by PIN', async () => {
    const t = await setup();
    const { access_code } = await t.create({ code: '314159' });
    // Latchkey's create reached Seam, but its upstream id was never written back (the worker died).
    t.upstream.codes.set('ac_arriving', { access_code_id: 'ac_arriving', device_id: 'front', code: '314159', name: null, status: 'setting', errors: [], warnings: [] });
    await discoverCodes(t.deps, await t.device(), { intervalMs: minute });
    expect(await t.unmanaged()).toEqual([]);
    expect(await t.events('access_code.unmanaged.created')).toEqual([]);
    expect(await t.events('access_code.modified_external_to_seam')).toEqual([]);

    await t.tick(1, 31_000);
    t.upstream.settleAll();
    await t.tick(2, 31_000);
    expect(t.upstream.creates).toBe(0);
    expect((await t.deps.accessCodes.get(t.ws.workspaceId, access_code.access_code_id))?.provider_ref).toBe('ac_arriving');
    expect(await t.get(access_code.access_code_id)).toMatchObject({ status: 'set' });
  });

  it("reads Latchkey's codes again before taking a code that arrived upstream during the listing for an unmanaged one", async () => {
    const t = await setup();
    let created: string | undefined;
    // Between the sweep's read of Latchkey's codes and Seam's answer, a client creates a code and Latchkey puts it upstream.
    t.beforeList(async () => {
      created = (await t.create({ code: '271828' })).access_code.access_code_id;
      t.upstream.codes.set('ac_new', { access_code_id: 'ac_new', device_id: 'front', code: '271828', name: null, status: 'setting', errors: [], warnings: [] });
    });
    await discoverCodes(t.deps, await t.device(), { intervalMs: minute });
    expect(created).toBeDefined();
    expect(await t.unmanaged()).toEqual([]);
    expect(await t.events('access_code.unmanaged.created')).toEqual([]);
  });

  it('makes a code set at Seam outside Latchkey an unmanaged code, and removes it when it goes', async () => {
    const t = await setup();
    await t.setCode('482913');
    t.upstream.codes.set('ac_cleaner', { access_code_id: 'ac_cleaner', device_id: 'front', code: '777888', name: 'Cleaner', status: 'set', errors: [], warnings: [] });
    await t.tick(14, 5000);
    expect(await t.unmanaged()).toEqual([expect.objectContaining({ provider_ref: 'ac_cleaner', access_code: expect.objectContaining({ code: '777888', name: 'Cleaner', is_managed: false }) })]);
    t.upstream.codes.delete('ac_cleaner');
    await t.tick(14, 5000);
    expect(await t.unmanaged()).toEqual([]);
    expect((await t.events('access_code.unmanaged.removed')).length).toBe(1);
  });
});
