import { listUnmanagedCodes } from '../../lib/access-codes/list-unmanaged-codes';
import { listUnmanagedInputSchema } from '../../lib/access-codes/unmanaged-schemas';
import { listEventsInputSchema } from '../../lib/events/schemas';
import { zwaveHarnessForFile } from '../support/zwave-harness';

/*
 * The agent's sweep of its locks (refresh_minutes, 1.2 s here), through the real agent and
 * zwave-js's driver: lock 2 (User Code v2) answers the User Code Checksum, so a sweep asks for
 * it and reads the slots only when it differs from what the agent last read or set; lock 3
 * (User Code v1) has no checksum and is read slot by slot on each sweep. A change made on the
 * lock's memory without a notification (as many locks behave) is found this way only.
 */

const minute = 60_000;
const t = zwaveHarnessForFile(
  [
    { nodeId: 2, slots: 6, name: 'Unit 4B Front', userCodeVersion: 2, acceptLengths: { min: 4, max: 8 } },
    { nodeId: 3, slots: 3, name: 'Unit 4B Storage', userCodeVersion: 1 },
  ],
  { refreshMinutes: 0.02 },
);

test('a silent change at a lock with the checksum is found through it, and Latchkey puts its PIN back', async () => {
  const device = await t.lockDevice(2);
  const { access_code } = await t.create({ device_id: device.device.device_id, code: '4821', name: 'Guest' });
  await t.until(
    'the code to be set',
    () => t.get(access_code.access_code_id),
    (c) => c.status === 'set',
  );
  const slot = Number(Object.entries(await t.hub.slots(2)).find(([, code]) => code === '4821')?.[0]);

  // Sweeps of an unchanged lock: one checksum each, no slot read (the agent follows its own write).
  const before = await t.hub.reads(2);
  const swept = await t.until(
    'two sweeps of the lock',
    () => t.hub.reads(2),
    (r) => r.checksums >= before.checksums + 2,
  );
  expect(swept.slots).toBe(before.slots);

  t.clock.advance(minute);
  t.pins.push('2718');
  await t.hub.changeSilently(2, slot, '2718');
  const events = await t.until(
    'the sweep to find the change',
    () => t.deps.events.list(t.ws.workspaceId, listEventsInputSchema.parse({ access_code_id: access_code.access_code_id, event_type: 'access_code.modified_external_to_seam' })),
    (list) => list.length === 1,
  );
  expect(events).toHaveLength(1);
  expect(t.hub.output()).toContain('user code checksum differs: every slot read');
  await t.until(
    'the PIN put back on the lock',
    () => t.hub.slots(2),
    (s) => s[String(slot)] === '4821',
  );
  await t.until(
    'the code set again',
    () => t.get(access_code.access_code_id),
    (c) => c.status === 'set' && c.code === '4821',
  );
  // The differing checksum cost one read of the lock's 6 slots, and the put-back one read-back.
  expect((await t.hub.reads(2)).slots - before.slots).toBeGreaterThanOrEqual(6);
}, 90_000);

test('a lock without the checksum is read slot by slot on each sweep, and a silent keypad code becomes an unmanaged code', async () => {
  const device = await t.lockDevice(3);
  const before = await t.hub.reads(3);
  const swept = await t.until(
    'two sweeps of the lock',
    () => t.hub.reads(3),
    (r) => r.slots >= before.slots + 6,
  );
  expect(swept.checksums).toBe(0);

  t.pins.push('8080');
  await t.hub.changeSilently(3, 2, '8080');
  const unmanaged = await t.until(
    'the code to be found',
    () => listUnmanagedCodes(t.deps, t.ws.principal, listUnmanagedInputSchema.parse({ device_id: device.device.device_id })),
    (list) => list.access_codes.some((c) => c.code === '8080'),
  );
  expect(unmanaged.access_codes.find((c) => c.code === '8080')).toMatchObject({ is_managed: false, status: 'set' });
}, 90_000);

test("no PIN reaches a log line, the agent's or Latchkey's", () => {
  const logs = `${t.hub.output()}\n${t.logLines.join('\n')}`;
  expect(logs).toContain('user code checksum differs');
  for (const pin of t.pins) expect(logs).not.toContain(pin);
});
