import { ProviderError } from '../../lib/devices/lock-provider';
import type { DeviceRecord } from '../../lib/devices/schemas';
import { zwaveDevice } from '../../lib/providers/zwave';
import { zwaveProvider } from '../../lib/providers/zwave';
import { turnsFor } from '../../lib/engine/reconcile';
import type { ConnectedAccountRecord } from '../../lib/connected-accounts/schemas';
import { localHubShadows } from '../../lib/local/zwave/local-hub-shadows';
import { type LocalIotCore, startLocalIotCore } from '../../lib/local/zwave/local-iot-core';
import { hubThingName, type ReportedLock } from '../../lib/hub-contract/shadow-documents';

/*
 * The Z-Wave provider against the local IoT Core stand-in, with the test in the agent's place:
 * it writes `reported` as a hub would. No Z-Wave network here (see test/e2e/zwave-*.test.ts).
 */

const accountId = '6b3f2a10-0000-4000-8000-000000000001';
const thing = hubThingName('local', accountId);
let now = 1_800_000_000_000;
let iot: LocalIotCore;
const provider = () => zwaveProvider(localHubShadows(iot));

const account: ConnectedAccountRecord = {
  workspace_id: '6b3f2a10-0000-4000-8000-0000000000aa',
  connected_account: {
    connected_account_id: accountId,
    account_type: 'zwave',
    account_type_display_name: 'Z-Wave hub',
    display_name: 'Hub',
    created_at: '2026-11-30T00:00:00.000Z',
    errors: [],
    warnings: [],
    custom_metadata: {},
    automatically_manage_new_devices: true,
    accepted_capabilities: ['lock'],
  },
  provider: 'zwave',
  provider_settings: { thing_name: thing, connected: true },
};
const lock = (slots: number): ReportedLock => ({
  node_id: 4,
  name: 'Back Door',
  manufacturer: 'Spectrum Brands',
  model: 'SmartCode 914',
  capacity: slots,
  managed_slots: slots,
  code_lengths: { min: 4, max: 8 },
  status: 'alive',
});

/** A lock shadow as a hub reports it, with `held` on the lock. */
function report(shadow: string, slots: number, held: Record<string, string> = {}, refused: Record<string, string> = {}): DeviceRecord {
  now += 1000;
  const all = Object.fromEntries(Array.from({ length: slots }, (_, i) => [String(i + 1), held[String(i + 1)] ?? '']));
  iot.updateThingShadow(thing, shadow, { state: { reported: { lock: lock(slots), slots: all, ...(Object.keys(refused).length > 0 && { refused }) } } });
  return zwaveDevice(account, shadow, lock(slots), new Date(now).toISOString());
}
const version = (shadow: string) => Number(iot.getThingShadow(thing, shadow).version);
const desired = (shadow: string) => {
  const doc = iot.getThingShadow(thing, shadow);
  return typeof doc.state === 'object' && doc.state !== null && 'desired' in doc.state ? doc.state.desired : undefined;
};
const handle = (id: string, code?: string) => ({ access_code_id: id, ...(code && { code }) });

beforeAll(async () => {
  iot = await startLocalIotCore({ now: () => now });
  iot.registerThing(thing);
});
afterAll(() => iot.close());

test("the device has the lock's slot count and PIN lengths, and Latchkey keeps windows just in time", () => {
  const device = report('lock-4', 3);
  expect(device.device.properties).toMatchObject({ max_active_codes_supported: 3, supported_code_lengths: [4, 5, 6, 7, 8], online: true });
  expect(device.device.device_type).toBe('kwikset_lock');
  expect(provider().traits(device)).toMatchObject({ timeWindow: 'just_in_time', choosesPin: false, canRemoveRemotely: true });
});

test("code calls are paced one at a time per lock and two a second per hub, so that a hub's locks share its one radio", () => {
  const device = report('lock-5', 3);
  const limits = provider().traits(device).callLimits ?? {};
  expect(limits).toEqual({ any: { calls: 1, perMs: 500 }, account: { any: { calls: 2, perMs: 1000 } } });
  expect(turnsFor('zwave', device, 'create', limits).map((t) => t.key)).toEqual([
    `zwave#${account.workspace_id}#${device.device.device_id}#any`,
    `zwave#${account.workspace_id}#ACCOUNT#${accountId}#any`,
  ]);
});

test('codes get free slots, never one the lock holds a keypad code in; a full lock has no space', async () => {
  const device = report('lock-5', 3, { '1': '2580' });
  const p = provider();
  const entry = (id: string, code: string) => ({ access_code_id: id, code });
  // Concurrent programs: each write is conditioned on the shadow's version, so each code gets its own slot.
  const refs = await Promise.all([p.program(device, entry('a', '1111'), handle('a')), p.program(device, entry('b', '2222'), handle('b'))]);
  expect(refs.map((r) => r.provider_ref).sort()).toEqual(['2', '3']);
  expect(desired('lock-5')).toMatchObject({ slots: { '2': expect.any(String), '3': expect.any(String) } });
  await expect(p.program(device, entry('c', '3333'), handle('c'))).rejects.toMatchObject({ kind: 'no_space_for_access_code_on_device' });
  // Programming again is idempotent: same slot, no second write.
  const before = version('lock-5');
  const again = await p.program(device, entry('a', '1111'), handle('a'));
  expect(refs.map((r) => r.provider_ref)).toContain(again.provider_ref);
  expect(version('lock-5')).toBe(before);
});

test('status follows the report: adding until the lock holds the PIN, removing until the slot is empty', async () => {
  const device = report('lock-6', 2);
  const p = provider();
  await p.program(device, { access_code_id: 'x', code: '4821' }, handle('x'));
  expect(await p.read(device, handle('x'))).toMatchObject({ code: '4821', state: 'adding', provider_ref: '1' });
  report('lock-6', 2, { '1': '4821' });
  expect(await p.read(device, handle('x'))).toMatchObject({ code: '4821', state: 'present' });
  await p.remove(device, handle('x'));
  expect(await p.read(device, handle('x'))).toMatchObject({ code: '4821', state: 'removing' });
  report('lock-6', 2);
  expect(await p.read(device, handle('x'))).toBeUndefined();
});

test('a PIN the lock refused fails permanently and gives its slot back', async () => {
  const device = report('lock-7', 1);
  const p = provider();
  await p.program(device, { access_code_id: 'r', code: '123456789' }, handle('r'));
  report('lock-7', 1, {}, { '1': '123456789' });
  const refused = await p.read(device, handle('r')).catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(ProviderError);
  expect(refused).toMatchObject({ kind: 'rejected_pin', permanent: true });
  expect(desired('lock-7')).toMatchObject({ slots: { '1': '' } });
  expect(await p.program(device, { access_code_id: 's', code: '2468' }, handle('s'))).toEqual({ provider_ref: '1' });
});

test('a slot changed at the keypad reads as what the lock holds; every code on the lock is listed', async () => {
  const device = report('lock-8', 3, { '3': '7777' });
  const p = provider();
  await p.program(device, { access_code_id: 'k', code: '1357' }, handle('k'));
  report('lock-8', 3, { '1': '1357', '3': '7777' });
  expect(await p.listEntries?.(device)).toEqual([
    { provider_ref: '1', code: '1357', access_code_id: 'k' },
    { provider_ref: '3', code: '7777' },
  ]);
  report('lock-8', 3, { '1': '9090', '3': '7777' });
  expect(await p.read(device, handle('k'))).toMatchObject({ code: '9090', state: 'present' });
  // Latchkey puts its PIN back by writing it again, which the agent applies as a new request.
  const before = version('lock-8');
  await p.program(device, { access_code_id: 'k', code: '1357' }, handle('k'));
  expect(version('lock-8')).toBe(before + 1);
  // A keypad code is taken off through its slot.
  await p.remove(device, { access_code_id: 'unmanaged-1', provider_ref: '3' });
  expect(desired('lock-8')).toMatchObject({ slots: { '3': '' }, owners: { '3': 'unmanaged-1' } });
});

test('a lock its hub never reported is offline', async () => {
  const device = zwaveDevice(account, 'lock-99', lock(2), new Date(now).toISOString());
  await expect(provider().read(device, handle('z'))).rejects.toMatchObject({ kind: 'device_offline' });
});

test('a write that keeps losing to other writers of the shadow is a transient failure after the policy’s attempts, never a slot taken twice', async () => {
  const device = report('lock-9', 2);
  const shadows = localHubShadows(iot);
  let writes = 0;
  const losing = zwaveProvider({
    ...shadows,
    setDesired: async () => {
      writes++;
      return false;
    },
  });
  await expect(losing.program(device, { access_code_id: 'l', code: '5150' }, handle('l'))).rejects.toMatchObject({ kind: 'transient' });
  expect(writes).toBe(5);
  expect(desired('lock-9')).toBeUndefined();
  const winsSecond = zwaveProvider({ ...shadows, setDesired: async (...args) => (writes++ % 2 === 0 ? false : shadows.setDesired(...args)) });
  writes = 0;
  expect(await winsSecond.program(device, { access_code_id: 'l', code: '5150' }, handle('l'))).toEqual({ provider_ref: '1' });
});
