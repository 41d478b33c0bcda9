import { createAccessCode } from '../../lib/access-codes/create-access-code';
import { deleteAccessCode } from '../../lib/access-codes/delete-access-code';
import { getAccessCode } from '../../lib/access-codes/get-access-code';
import { createAccessCodeInputSchema } from '../../lib/access-codes/schemas';
import { AppError } from '../../lib/errors';
import { type ZwaveHarness, zwaveHarness } from '../support/zwave-harness';

/*
 * Access codes on Z-Wave locks, end to end: Latchkey's engine writes the lock's shadow on a
 * local IoT Core, the real edge agent (its own process, zwave-js's driver) programs mock User
 * Code locks and reads every write back, and the reported shadow brings the outcome back.
 * Lock 2 has 6 slots and takes 4–8 digits; lock 3 has 2 slots and takes 4–6 digits, while
 * its hub says 4–8 (Z-Wave does not report lengths), so it refuses longer PINs silently.
 */

const minute = 60_000;
let t: ZwaveHarness;
const pins: string[] = [];

beforeAll(async () => {
  t = await zwaveHarness([
    { nodeId: 2, slots: 6, name: 'Unit 4B Front', acceptLengths: { min: 4, max: 8 } },
    { nodeId: 3, slots: 2, name: 'Unit 4B Storage', acceptLengths: { min: 4, max: 6 } },
  ]);
}, 90_000);

afterAll(async () => {
  await t?.stop();
});

const create = (input: Record<string, unknown>) => {
  if (typeof input.code === 'string') pins.push(input.code);
  return createAccessCode(t.deps, t.ws.principal, createAccessCodeInputSchema.parse(input));
};
const get = (id: string) => getAccessCode(t.deps, t.ws.principal, { access_code_id: id });
const gone = (id: string) => get(id).then(() => false, (e: unknown) => e instanceof AppError && e.statusCode === 404);

test('the hub\'s locks are devices with their slot count and keypad rules', async () => {
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
  const set = await t.until('the code to be set', () => get(access_code.access_code_id), (c) => c.status === 'set');
  expect(set).toMatchObject({ errors: [], pending_mutations: [] });
  expect(Object.values(await t.hub.slots(2))).toContain('4821');
});

test('deleting a code clears its slot, and the code is gone once the lock reports the slot empty', async () => {
  const device = await t.lockDevice(2);
  const { access_code } = await create({ device_id: device.device.device_id, code: '7340' });
  await t.until('set', () => get(access_code.access_code_id), (c) => c.status === 'set');
  await deleteAccessCode(t.deps, t.ws.principal, { access_code_id: access_code.access_code_id });
  await t.until('gone', () => gone(access_code.access_code_id), (g) => g);
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
  await t.until('set ahead of starts_at', () => get(access_code.access_code_id), (c) => c.status === 'set');
  expect(Object.values(await t.hub.slots(2))).toContain('5903');
  t.clock.advance(120 * minute);
  await t.until('removed at ends_at', () => gone(access_code.access_code_id), (g) => g);
  expect(Object.values(await t.hub.slots(2))).not.toContain('5903');
});
