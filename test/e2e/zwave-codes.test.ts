import { deleteAccessCode } from '../../lib/access-codes/delete-access-code';
import { deleteUnmanagedCode } from '../../lib/access-codes/delete-unmanaged-code';
import { listUnmanagedCodes } from '../../lib/access-codes/list-unmanaged-codes';
import { listUnmanagedInputSchema } from '../../lib/access-codes/unmanaged-schemas';
import { listEventsInputSchema } from '../../lib/events/schemas';
import { simulateKeypadEntry } from '../../lib/locks/simulate-keypad-entry';
import { zwaveHarnessForFile } from '../support/zwave-harness';

/*
 * Access codes on Z-Wave locks, end to end: Latchkey's engine writes the lock's shadow on a
 * local IoT Core, the real edge agent (its own process, zwave-js's driver) programs mock User
 * Code locks and reads every write back, and the reported shadow brings the outcome back.
 * Lock 2 has 6 slots and takes 4–8 digits; lock 3 has 2 slots and takes 4–6 digits, while
 * its hub says 4–8 (Z-Wave does not report lengths), so it refuses longer PINs silently.
 */

const minute = 60_000;
const t = zwaveHarnessForFile([
  { nodeId: 2, slots: 6, name: 'Unit 4B Front', acceptLengths: { min: 4, max: 8 } },
  { nodeId: 3, slots: 2, name: 'Unit 4B Storage', acceptLengths: { min: 4, max: 6 } },
]);

const create = (input: Record<string, unknown>) => t.create(input);
const get = (id: string) => t.get(id);
const gone = (id: string) => t.gone(id);

test("the hub's locks are devices with their slot count and keypad rules", async () => {
  const front = await t.lockDevice(2);
  expect(front.device).toMatchObject({
    display_name: 'Unit 4B Front',
    connected_account_id: t.account.connected_account.connected_account_id,
    properties: { online: true, max_active_codes_supported: 6, supported_code_lengths: [4, 5, 6, 7, 8] },
    errors: [],
  });
  expect((await t.lockDevice(3)).device.properties.max_active_codes_supported).toBe(2);
});

test('an ongoing code is set once the lock holds it, read back from the lock', async () => {
  const device = await t.lockDevice(2);
  const { access_code } = await create({ device_id: device.device.device_id, code: '4821', name: 'Cleaner' });
  expect(access_code.status).toBe('setting');
  const set = await t.until(
    'the code to be set',
    () => get(access_code.access_code_id),
    (c) => c.status === 'set',
  );
  expect(set).toMatchObject({ errors: [], pending_mutations: [] });
  expect(Object.values(await t.hub.slots(2))).toContain('4821');
});

test('deleting a code clears its slot, and the code is gone once the lock reports the slot empty', async () => {
  const device = await t.lockDevice(2);
  const { access_code } = await create({ device_id: device.device.device_id, code: '7340' });
  await t.until(
    'set',
    () => get(access_code.access_code_id),
    (c) => c.status === 'set',
  );
  await deleteAccessCode(t.deps, t.ws.principal, { access_code_id: access_code.access_code_id });
  await t.until(
    'gone',
    () => gone(access_code.access_code_id),
    (g) => g,
  );
  expect(Object.values(await t.hub.slots(2))).not.toContain('7340');
});

test('a time-bound code goes on just in time and comes off at ends_at (moved clock)', async () => {
  const device = await t.lockDevice(2);
  const now = t.clock.now().getTime();
  const { access_code } = await create({
    device_id: device.device.device_id,
    code: '5903',
    starts_at: new Date(now + 90 * minute).toISOString(),
    ends_at: new Date(now + 150 * minute).toISOString(),
  });
  await t.run();
  expect(await get(access_code.access_code_id)).toMatchObject({ status: 'unset' });
  expect(Object.values(await t.hub.slots(2))).not.toContain('5903');
  t.clock.advance(31 * minute);
  await t.until(
    'set ahead of starts_at',
    () => get(access_code.access_code_id),
    (c) => c.status === 'set',
  );
  expect(Object.values(await t.hub.slots(2))).toContain('5903');
  t.clock.advance(120 * minute);
  await t.until(
    'removed at ends_at',
    () => gone(access_code.access_code_id),
    (g) => g,
  );
  expect(Object.values(await t.hub.slots(2))).not.toContain('5903');
});

test('a recurring code is on the lock only around its window, programmed just in time (moved clock)', async () => {
  const device = await t.lockDevice(2);
  const now = t.clock.now().getTime();
  const start = new Date(Math.ceil((now + 10 * minute) / minute) * minute);
  const end = new Date(start.getTime() + 5 * minute);
  const hhmm = (d: Date) => d.toISOString().slice(11, 16);
  const day = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'][start.getUTCDay()];
  const { access_code } = await create({
    device_id: device.device.device_id,
    code: '6142',
    recurring_schedule: { time_zone: 'UTC', weekly: [{ days: [day], start_time: hhmm(start), end_time: hhmm(end) }] },
  });
  const onLock = async () => Object.values(await t.hub.slots(2)).includes('6142');
  await t.run();
  expect(await get(access_code.access_code_id)).toMatchObject({ status: 'unset' });
  expect(await onLock()).toBe(false);

  // A minute before the window: within LATCHKEY_RECURRING_LEAD_SECONDS (120 s), still unset.
  t.clock.advance(start.getTime() - minute - now);
  await t.until('on the lock ahead of its window', onLock, (held) => held);
  expect((await get(access_code.access_code_id)).status).toBe('unset');

  t.clock.advance(2 * minute);
  await t.until(
    'set in its window',
    () => get(access_code.access_code_id),
    (c) => c.status === 'set',
  );

  t.clock.advance(5 * minute);
  await t.until('off the lock after its window', onLock, (held) => !held);
  expect((await get(access_code.access_code_id)).status).toBe('unset');
});

test('a full lock gives no_space_for_access_code_on_device; a freed slot takes the waiting code', async () => {
  const device = await t.lockDevice(3);
  const first = await create({ device_id: device.device.device_id, code: '1357' });
  const second = await create({ device_id: device.device.device_id, code: '2468' });
  for (const c of [first, second])
    await t.until(
      'set',
      () => get(c.access_code.access_code_id),
      (x) => x.status === 'set',
    );
  const third = await create({ device_id: device.device.device_id, code: '9753' });
  const waiting = await t.until(
    'no space',
    () => get(third.access_code.access_code_id),
    (c) => c.errors.some((e) => e.error_code === 'no_space_for_access_code_on_device'),
  );
  expect(waiting.status).toBe('setting');
  await deleteAccessCode(t.deps, t.ws.principal, { access_code_id: first.access_code.access_code_id });
  await t.until(
    'first gone',
    () => gone(first.access_code.access_code_id),
    (g) => g,
  );
  t.clock.advance(10 * minute);
  const set = await t.until(
    'the waiting code set',
    () => get(third.access_code.access_code_id),
    (c) => c.status === 'set',
  );
  expect(set.errors).toEqual([]);
  for (const c of [second, third]) await deleteAccessCode(t.deps, t.ws.principal, { access_code_id: c.access_code.access_code_id });
  await t.until(
    'lock 3 empty',
    () => t.hub.slots(3),
    (s) => Object.values(s).every((v) => v === ''),
  );
});

test('a PIN the lock refuses without a word is read back, and the code fails with failed_to_set_on_device', async () => {
  const device = await t.lockDevice(3);
  const { access_code } = await create({ device_id: device.device.device_id, code: '80417263' });
  const failed = await t.until(
    'failed',
    () => get(access_code.access_code_id),
    (c) => c.errors.some((e) => e.error_code === 'failed_to_set_on_device'),
  );
  expect(failed.status).not.toBe('set');
  expect(Object.values(await t.hub.slots(3))).not.toContain('80417263');
  // The slot went back: the lock still takes two codes.
  await deleteAccessCode(t.deps, t.ws.principal, { access_code_id: access_code.access_code_id });
});

test('a code changed at the keypad shows as what the lock holds, and Latchkey puts its own PIN back', async () => {
  const device = await t.lockDevice(2);
  const { access_code } = await create({ device_id: device.device.device_id, code: '3141' });
  await t.until(
    'set',
    () => get(access_code.access_code_id),
    (c) => c.status === 'set',
  );
  const slot = Number(Object.entries(await t.hub.slots(2)).find(([, code]) => code === '3141')?.[0]);
  const provider = t.deps.providers.for(device);
  t.clock.advance(minute);
  t.pins.push('2718');
  await t.hub.setAtKeypad(2, slot, '2718');
  await t.until(
    'the lock to report the keypad change',
    async () => (await provider.listEntries?.(device)) ?? [],
    (entries) => entries.some((e) => e.code === '2718'),
  );
  expect((await provider.listEntries?.(device))?.find((e) => e.code === '2718')).toEqual({ provider_ref: String(slot), code: '2718' });
  await t.until(
    'the PIN restored',
    () => t.hub.slots(2),
    (s) => s[String(slot)] === '3141',
  );
  await t.until(
    'set again',
    () => get(access_code.access_code_id),
    (c) => c.status === 'set',
  );
});

test('a code added at the keypad is an unmanaged code, its PIN is taken on the device, and deleting it clears its slot', async () => {
  const device = await t.lockDevice(2);
  t.pins.push('6502');
  await t.hub.setAtKeypad(2, 6, '6502');
  const unmanaged = await t.until(
    'the keypad code to be an unmanaged code',
    () => listUnmanagedCodes(t.deps, t.ws.principal, listUnmanagedInputSchema.parse({ device_id: device.device.device_id })),
    (list) => list.access_codes.some((c) => c.code === '6502'),
  );
  expect(unmanaged.access_codes.find((c) => c.code === '6502')).toMatchObject({ is_managed: false, status: 'set', device_id: device.device.device_id });
  await expect(create({ device_id: device.device.device_id, code: '6502' })).rejects.toMatchObject({ type: 'duplicate_access_code' });
  expect((await t.hub.slots(2))['6']).toBe('6502');
  const id = unmanaged.access_codes.find((c) => c.code === '6502')?.access_code_id ?? '';
  await deleteUnmanagedCode(t.deps, t.ws.principal, { access_code_id: id });
  await t.until(
    'slot 6 cleared',
    () => t.hub.slots(2),
    (s) => s['6'] === '',
  );
});

test('a keypad unlock names the slot, and Latchkey resolves it to the code', async () => {
  const device = await t.lockDevice(2);
  const { access_code } = await create({ device_id: device.device.device_id, code: '9021' });
  await t.until(
    'set',
    () => get(access_code.access_code_id),
    (c) => c.status === 'set',
  );
  const slot = Number(Object.entries(await t.hub.slots(2)).find(([, code]) => code === '9021')?.[0]);
  await t.hub.unlockAtKeypad(2, slot);
  const line = await t.until(
    'the unlock to arrive',
    async () => t.logLines.find((l) => l.includes('keypad unlock')),
    (l) => l !== undefined,
  );
  expect(JSON.parse(line ?? '{}')).toEqual({ message: 'keypad unlock', device_id: device.device.device_id, slot, access_code_id: access_code.access_code_id });
  // The unlock is an entry: lock.unlocked with the code, counted on it.
  const events = await t.until(
    'the lock.unlocked event',
    () => t.deps.events.list(t.ws.workspaceId, listEventsInputSchema.parse({ access_code_id: access_code.access_code_id, event_type: 'lock.unlocked' })),
    (e) => e.length > 0,
  );
  expect(events).toEqual([expect.objectContaining({ method: 'keycode', device_id: device.device.device_id, access_code_id: access_code.access_code_id, access_code_is_managed: true })]);
  expect(await get(access_code.access_code_id)).toMatchObject({ use_count: 1 });
});

test('a PIN the lock refuses at its keypad is lock.access_denied (unknown_code) on its device', async () => {
  const device = await t.lockDevice(3);
  await t.hub.denyAtKeypad(3);
  const events = await t.until(
    'the lock.access_denied event',
    () => t.deps.events.list(t.ws.workspaceId, listEventsInputSchema.parse({ device_id: device.device.device_id, event_type: 'lock.access_denied' })),
    (e) => e.length > 0,
  );
  expect(events).toEqual([expect.objectContaining({ device_id: device.device.device_id, reason: expect.objectContaining({ reason_code: 'unknown_code' }) })]);
  expect(events[0]).not.toHaveProperty('access_code_id');
});

test('a simulated keypad entry on a mock lock travels the hub path and is recorded once; a max_uses 2 code is gone after its second', async () => {
  const device = await t.lockDevice(2);
  const deviceId = device.device.device_id;
  const { access_code } = await create({ device_id: deviceId, code: '7391', max_uses: 2 });
  await t.until(
    'set',
    () => get(access_code.access_code_id),
    (c) => c.status === 'set',
  );
  const unlocks = () => t.deps.events.list(t.ws.workspaceId, listEventsInputSchema.parse({ access_code_id: access_code.access_code_id, event_type: 'lock.unlocked' }));
  const enter = (code: string) => simulateKeypadEntry(t.deps, t.ws.principal, { device_id: deviceId, code });
  // The route answers at once; the entry is the lock's own report, through the agent and the hub's events.
  expect(await enter('7391')).toMatchObject({ action_type: 'SIMULATE_KEYPAD_CODE_ENTRY', status: 'success' });
  await t.until('the first unlock', unlocks, (e) => e.length === 1);
  expect(await get(access_code.access_code_id)).toMatchObject({ use_count: 1 });
  await enter('7391');
  const both = await t.until('the second unlock', unlocks, (e) => e.length === 2);
  expect(both).toEqual([
    expect.objectContaining({ method: 'keycode', device_id: deviceId, access_code_is_managed: true }),
    expect.objectContaining({ method: 'keycode', device_id: deviceId, access_code_is_managed: true }),
  ]);
  await t.until(
    'gone',
    () => gone(access_code.access_code_id),
    (g) => g,
  );
  expect(Object.values(await t.hub.slots(2))).not.toContain('7391');
  // Off the lock, the PIN is refused by the lock itself.
  const denied = () => t.deps.events.list(t.ws.workspaceId, listEventsInputSchema.parse({ device_id: deviceId, event_type: 'lock.access_denied' }));
  const before = (await denied()).length;
  await enter('7391');
  await t.until('the refusal', denied, (e) => e.length === before + 1);
  // Each entry once: the route records nothing itself, and the hub's report is not doubled.
  expect(await unlocks()).toHaveLength(2);
});

test("no PIN reaches a log line, the agent's or Latchkey's", async () => {
  const logs = `${t.hub.output()}\n${t.logLines.join('\n')}`;
  expect(logs).toContain('slot written');
  for (const pin of t.pins) expect(logs).not.toContain(pin);
});
