import { createAccessCode } from '../../lib/access-codes/create-access-code';
import { getAccessCode } from '../../lib/access-codes/get-access-code';
import { createAccessCodeInputSchema, updateAccessCodeInputSchema } from '../../lib/access-codes/schemas';
import { getTimeline, getTimelineInputSchema } from '../../lib/access-codes/timeline';
import { updateAccessCode } from '../../lib/access-codes/update-access-code';
import { simulateConnection } from '../../lib/devices/device-queries';
import { pollDueCodes } from '../../lib/engine/poll-due-codes';
import { AppError } from '../../lib/errors';
import { eventSchema } from '../../lib/events/schemas';
import { simulateKeypadEntry } from '../../lib/locks/simulate-keypad-entry';
import { type HubShadows, zwaveProvider } from '../../lib/providers/zwave';
import type { EntryReport } from '../../lib/devices/entries';
import type { DeviceRecord } from '../../lib/devices/schemas';
import { memoryApp, sandboxWorkspace } from '../support/memory-app';

const hour = 3_600_000;

async function setup() {
  const app = memoryApp({ latencyMs: 2000 });
  const ws = await sandboxWorkspace(app.deps);
  const run = async (seconds: number) => {
    for (let t = 0; t < seconds; t++) {
      app.clock.advance(1000);
      await pollDueCodes(app.deps);
    }
  };
  const create = async (input: Record<string, unknown>) => (await createAccessCode(app.deps, ws.principal, createAccessCodeInputSchema.parse(input))).access_code;
  const get = (id: string) => getAccessCode(app.deps, ws.principal, { access_code_id: id });
  const enter = (device_id: string, code: string) => simulateKeypadEntry(app.deps, ws.principal, { device_id, code });
  /** A lock's own report of an entry, as a provider hands it to the engine: an unlock now unless said otherwise. */
  const report = async (device_id: string, entry: Pick<EntryReport, 'entry_id'> & Partial<EntryReport>) => {
    const device = await app.deps.devices.get(ws.workspaceId, device_id);
    if (!device) throw new Error('no device');
    return app.deps.engine.recordEntry(device, { occurred_at: app.clock.now().toISOString(), outcome: 'unlocked', ...entry });
  };
  /** The entry events published since `from`, each checked against the event schema. */
  const entryEvents = (from = 0) =>
    app.published
      .slice(from)
      .filter((e) => e.event_type.startsWith('lock.') || e.event_type === 'access_code.first_used' || e.event_type === 'access_code.use_limit_reached')
      .map((e) => eventSchema.parse(e));
  return { ...app, ws, run, create, get, enter, report, entryEvents };
}

const fails = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => (e instanceof AppError ? { status: e.statusCode, type: e.type, message: e.message } : e),
  );

describe('keypad entries', () => {
  it('a PIN on the lock unlocks it: lock.unlocked (keycode, the managed code), first_used once, counted on the code', async () => {
    const t = await setup();
    const lock = t.ws.byType('kwikset_lock');
    const code = await t.create({ device_id: lock.device_id, code: '4829' });
    await t.run(3);
    t.clock.advance(1000);
    const attempt = await t.enter(lock.device_id, '4829');
    expect(attempt).toMatchObject({ action_type: 'SIMULATE_KEYPAD_CODE_ENTRY', status: 'success', result: {} });
    const firstAt = t.clock.now().toISOString();
    t.clock.advance(60_000);
    await t.enter(lock.device_id, '4829');
    const events = t.entryEvents();
    expect(events.map((e) => e.event_type)).toEqual(['lock.unlocked', 'access_code.first_used', 'lock.unlocked']);
    expect(events[0]).toMatchObject({
      method: 'keycode',
      access_code_id: code.access_code_id,
      access_code_is_managed: true,
      device_id: lock.device_id,
      connected_account_id: lock.connected_account_id,
      occurred_at: firstAt,
    });
    expect(events[0]).not.toHaveProperty('code');
    expect(await t.get(code.access_code_id)).toMatchObject({ status: 'set', use_count: 2, first_used_at: firstAt, last_used_at: t.clock.now().toISOString() });
    const timeline = await getTimeline(t.deps, t.ws.principal, getTimelineInputSchema.parse({ access_code_id: code.access_code_id }));
    expect(timeline.timeline_events.map((e) => e.event_type)).toEqual(['access_code.created', 'access_code.set_on_device', 'lock.unlocked', 'access_code.first_used', 'lock.unlocked']);
  });

  it('a PIN the lock does not hold is denied with unknown_code, naming no code', async () => {
    const t = await setup();
    const lock = t.ws.byType('kwikset_lock');
    await t.enter(lock.device_id, '0000');
    expect(t.entryEvents()).toEqual([expect.objectContaining({ event_type: 'lock.access_denied', reason: { reason_code: 'unknown_code', message: expect.any(String) } })]);
    expect(t.entryEvents()[0]).not.toHaveProperty('access_code_id');
  });

  it('a time-bound code is denied before its window (expired_code, with its id) and unlocks inside it', async () => {
    const t = await setup();
    const lock = t.ws.byType('kwikset_lock');
    const startsAt = new Date(t.clock.now().getTime() + 2 * hour).toISOString();
    const endsAt = new Date(t.clock.now().getTime() + 5 * hour).toISOString();
    const code = await t.create({ device_id: lock.device_id, code: '5150', starts_at: startsAt, ends_at: endsAt });
    await t.run(3);
    await t.enter(lock.device_id, '5150');
    t.clock.set(new Date(Date.parse(startsAt) + 60_000).toISOString());
    await t.enter(lock.device_id, '5150');
    expect(t.entryEvents().map((e) => [e.event_type, e.access_code_id, e.reason?.reason_code])).toEqual([
      ['lock.access_denied', code.access_code_id, 'expired_code'],
      ['lock.unlocked', code.access_code_id, undefined],
      ['access_code.first_used', code.access_code_id, undefined],
    ]);
  });

  it('a code just-in-time locks do not hold yet is denied as expired_code once Latchkey maps its PIN', async () => {
    const t = await setup();
    const lock = t.ws.byType('tedee_lock');
    const startsAt = new Date(t.clock.now().getTime() + 5 * hour).toISOString();
    const code = await t.create({ device_id: lock.device_id, code: '52719', starts_at: startsAt, ends_at: new Date(Date.parse(startsAt) + hour).toISOString() });
    await t.enter(lock.device_id, '52719');
    expect(t.entryEvents()).toEqual([
      expect.objectContaining({ event_type: 'lock.access_denied', access_code_id: code.access_code_id, reason: expect.objectContaining({ reason_code: 'expired_code' }) }),
    ]);
  });

  it('a max_uses 2 code: the second entry reaches the limit and starts its removal at once; it is gone, and a later entry is denied', async () => {
    const t = await setup();
    const lock = t.ws.byType('kwikset_lock');
    const code = await t.create({ device_id: lock.device_id, code: '7272', max_uses: 2 });
    expect(code).toMatchObject({ max_uses: 2, use_count: 0, is_one_time_use: false });
    await t.run(3);
    await t.enter(lock.device_id, '7272');
    expect(await t.get(code.access_code_id)).toMatchObject({ status: 'set', use_count: 1 });
    await t.enter(lock.device_id, '7272');
    expect(await t.get(code.access_code_id)).toMatchObject({ status: 'removing', use_count: 2 });
    await t.enter(lock.device_id, '7272');
    await t.run(3);
    expect(await fails(t.get(code.access_code_id))).toMatchObject({ status: 404 });
    expect(t.entryEvents().map((e) => e.event_type)).toEqual(['lock.unlocked', 'access_code.first_used', 'lock.unlocked', 'access_code.use_limit_reached', 'lock.access_denied']);
    expect(t.entryEvents()[3]).toMatchObject({ access_code_id: code.access_code_id, use_count: 2, max_uses: 2 });
    expect(t.published.map((e) => e.event_type)).toContain('access_code.removed_from_device');
  });

  it('a repeated report of one entry is recorded once', async () => {
    const t = await setup();
    const lock = t.ws.byType('kwikset_lock');
    const code = await t.create({ device_id: lock.device_id, code: '3141', max_uses: 5 });
    await t.run(3);
    const device = await t.deps.devices.get(t.ws.workspaceId, lock.device_id);
    if (!device) throw new Error('no device');
    const report = { entry_id: 'e-1', occurred_at: t.clock.now().toISOString(), outcome: 'unlocked' as const, provider_ref: code.access_code_id };
    expect(await t.deps.engine.recordEntry(device, report)).toMatchObject({ recorded: true, event_type: 'lock.unlocked', access_code_id: code.access_code_id });
    expect(await t.deps.engine.recordEntry(device, report)).toEqual({ recorded: false });
    const denial = { entry_id: 'e-2', occurred_at: t.clock.now().toISOString(), outcome: 'denied' as const, code: '9999' };
    await t.deps.engine.recordEntry(device, denial);
    expect(await t.deps.engine.recordEntry(device, denial)).toEqual({ recorded: false });
    expect(t.entryEvents().map((e) => e.event_type)).toEqual(['lock.unlocked', 'access_code.first_used', 'lock.access_denied']);
    expect(await t.get(code.access_code_id)).toMatchObject({ use_count: 1 });
  });

  it('a lock that still opens for a used-up code (its removal not yet through) reports lock.unlocked, not counted; an unlock by a code nobody knows names none', async () => {
    const t = await setup();
    const lock = t.ws.byType('kwikset_lock');
    const code = await t.create({ device_id: lock.device_id, code: '2468', max_uses: 1 });
    await t.run(3);
    const entry = (entry_id: string, extra: Partial<EntryReport>) => t.report(lock.device_id, { entry_id, ...extra });
    await entry('u-1', { access_code_id: code.access_code_id });
    expect(await entry('u-2', { access_code_id: code.access_code_id })).toMatchObject({ recorded: true, event_type: 'lock.unlocked' });
    expect(await entry('u-3', { provider_ref: 'slot-nobody-knows' })).toEqual({ recorded: true, event_type: 'lock.unlocked' });
    expect(t.entryEvents().map((e) => [e.event_type, e.access_code_id])).toEqual([
      ['lock.unlocked', code.access_code_id],
      ['access_code.first_used', code.access_code_id],
      ['access_code.use_limit_reached', code.access_code_id],
      ['lock.unlocked', code.access_code_id],
      ['lock.unlocked', undefined],
    ]);
    const gone = await t.deps.codeHistory.getGone(t.ws.workspaceId, code.access_code_id);
    const live = await t.deps.accessCodes.get(t.ws.workspaceId, code.access_code_id);
    expect((live?.access_code ?? gone?.access_code)?.use_count).toBe(1);
  });

  it('an entry that arrives after its code is gone (used up and removed meanwhile) still names the code, and is not counted', async () => {
    const t = await setup();
    const lock = t.ws.byType('kwikset_lock');
    const code = await t.create({ device_id: lock.device_id, code: '1357', max_uses: 1 });
    await t.run(3);
    const entry = (entry_id: string, outcome: 'unlocked' | 'denied') => t.report(lock.device_id, { entry_id, outcome, access_code_id: code.access_code_id });
    await entry('g-1', 'unlocked');
    await t.run(3);
    expect(await t.deps.accessCodes.get(t.ws.workspaceId, code.access_code_id)).toBeUndefined();
    expect(await entry('g-2', 'unlocked')).toEqual({ recorded: true, event_type: 'lock.unlocked', access_code_id: code.access_code_id });
    expect(await entry('g-3', 'denied')).toEqual({ recorded: true, event_type: 'lock.access_denied', access_code_id: code.access_code_id });
    const late = t.entryEvents().slice(-2);
    expect(late).toMatchObject([
      { event_type: 'lock.unlocked', access_code_id: code.access_code_id, access_code_is_managed: true },
      { event_type: 'lock.access_denied', access_code_id: code.access_code_id, reason: { reason_code: 'expired_code' } },
    ]);
    expect((await t.deps.codeHistory.getGone(t.ws.workspaceId, code.access_code_id))?.access_code.use_count).toBe(1);
  });

  it('an entry with a code set outside Latchkey names the unmanaged code', async () => {
    const t = await setup();
    const lock = t.ws.byType('kwikset_lock');
    const device = await t.deps.devices.get(t.ws.workspaceId, lock.device_id);
    if (!device) throw new Error('no device');
    const ref = '0b5e8a52-9d3c-4a43-9f5e-3c1b8e1f4a77';
    await t.deps.providers.for(device).simulator?.putExternalCode(device, { ref, code: '8080', name: 'Cleaner' });
    await t.deps.engine.discover(device);
    const [unmanaged] = (await t.deps.unmanagedCodes.listByDevice(t.ws.workspaceId, lock.device_id, { limit: 10 })).items;
    await t.enter(lock.device_id, '8080');
    expect(t.entryEvents()).toEqual([expect.objectContaining({ event_type: 'lock.unlocked', access_code_id: unmanaged?.access_code.access_code_id, access_code_is_managed: false })]);
  });

  it('a code whose lock is offline when it reaches its limit is removed once the lock is back', async () => {
    const t = await setup();
    const lock = t.ws.byType('kwikset_lock');
    const code = await t.create({ device_id: lock.device_id, code: '6060', is_one_time_use: true });
    expect(code).toMatchObject({ max_uses: 1, is_one_time_use: true });
    await t.run(3);
    await simulateConnection(t.deps, t.ws.principal, lock.device_id, false);
    await t.enter(lock.device_id, '6060');
    await t.run(10);
    const waiting = await t.get(code.access_code_id);
    expect(waiting).toMatchObject({ status: 'removing', use_count: 1 });
    expect(waiting.errors.map((e) => e.error_code)).toContain('device_offline');
    // The gap is shown on the code, naming the use limit, while the code is still on the lock.
    expect(waiting.warnings).toContainEqual(expect.objectContaining({ warning_code: 'being_deleted', message: expect.stringContaining('Use limit reached (1 of 1 uses)') }));
    t.clock.advance(60 * 60 * 1000);
    await t.run(10);
    expect((await t.get(code.access_code_id)).warnings.filter((w) => w.warning_code === 'being_deleted')).toHaveLength(1);
    await simulateConnection(t.deps, t.ws.principal, lock.device_id, true);
    await t.run(30);
    expect(await fails(t.get(code.access_code_id))).toMatchObject({ status: 404 });
  });

  it('max_uses is for online codes, 1 to 1000, and an update may not set it at or below the use count', async () => {
    const t = await setup();
    const lock = t.ws.byType('kwikset_lock');
    expect(createAccessCodeInputSchema.safeParse({ device_id: lock.device_id, max_uses: 0 }).success).toBe(false);
    expect(createAccessCodeInputSchema.safeParse({ device_id: lock.device_id, max_uses: 1001 }).success).toBe(false);
    const offline = t.ws.byType('igloohome_lock');
    const startsAt = new Date(t.clock.now().getTime() + hour).toISOString();
    expect(
      await fails(t.create({ device_id: offline.device_id, is_offline_access_code: true, starts_at: startsAt, ends_at: new Date(Date.parse(startsAt) + 24 * hour).toISOString(), max_uses: 3 })),
    ).toMatchObject({
      status: 400,
      message: expect.stringContaining('use limit'),
    });
    const code = await t.create({ device_id: lock.device_id, code: '1212', max_uses: 3 });
    await t.run(3);
    await t.enter(lock.device_id, '1212');
    const update = (max_uses: number) => updateAccessCode(t.deps, t.ws.principal, updateAccessCodeInputSchema.parse({ access_code_id: code.access_code_id, max_uses }));
    expect(await fails(update(1))).toMatchObject({ status: 400, message: expect.stringContaining('use_count (1)') });
    await update(4);
    expect(await t.get(code.access_code_id)).toMatchObject({ max_uses: 4, use_count: 1 });
  });

  it('a lock with no simulated keypad (a real Z-Wave lock in AWS) answers a 400 naming device_id', async () => {
    const t = await setup();
    const lock = t.ws.byType('kwikset_lock');
    const record = await t.deps.devices.get(t.ws.workspaceId, lock.device_id);
    if (!record) throw new Error('no device');
    const { keypad: _none, ...withoutKeypad } = t.deps.providers.for(record);
    const deps = { ...t.deps, providers: { for: () => withoutKeypad } };
    expect(await fails(simulateKeypadEntry(deps, t.ws.principal, { device_id: lock.device_id, code: '1234' }))).toMatchObject({
      status: 400,
      type: 'invalid_input',
      message: expect.stringContaining('"device_id"'),
    });
    expect(t.entryEvents()).toEqual([]);
  });

  it("a Z-Wave provider simulates entries only when given a keypad, and leaves the report to the hub's events", async () => {
    const shadows = { get: async () => undefined, setDesired: async () => undefined } as unknown as HubShadows;
    expect(zwaveProvider(shadows).keypad).toBeUndefined();
    const entered: unknown[] = [];
    const provider = zwaveProvider(shadows, { enter: async (lock, code) => void entered.push({ node: lock.node_id, code }) });
    const device = { provider_state: { thing_name: 'hub-1', shadow_name: 'lock-5', node_id: 5 } } as unknown as DeviceRecord;
    expect(await provider.keypad?.enterCode(device, { entry_id: 'e-1', code: '2468' })).toBeUndefined();
    expect(entered).toEqual([{ node: 5, code: '2468' }]);
  });
});
