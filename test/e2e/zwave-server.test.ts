import { deleteAccessCode } from '../../lib/access-codes/delete-access-code';
import { listUnmanagedCodes } from '../../lib/access-codes/list-unmanaged-codes';
import { listUnmanagedInputSchema } from '../../lib/access-codes/unmanaged-schemas';
import { zwaveHarnessForFile } from '../support/zwave-harness';

/*
 * The agent beside Home Assistant / Z-Wave JS UI: the mock network process runs a zwave-js
 * driver and the real @zwave-js/server in front of it, and the real agent (its own process,
 * `zwave.server_url`) owns no controller: it lists the locks, reads and writes slots and hears
 * keypad events over the server's WebSocket. The one driver of this file is the server's.
 */

// The agent sweeps its lock every 1.2 s (refresh_minutes): the lock's User Code Checksum, asked through the server.
const t = zwaveHarnessForFile([{ nodeId: 2, slots: 6, name: 'Unit 4B Front', userCodeVersion: 2, acceptLengths: { min: 4, max: 8 } }], { zwaveServer: true, refreshMinutes: 0.02 });

const create = (input: Record<string, unknown>) => t.create(input);
const get = (id: string) => t.get(id);
const gone = (id: string) => t.gone(id);

test('the agent reaches the locks through the Z-Wave JS server, not the controller', async () => {
  expect(t.hub.output()).toContain('"zwave":"server"');
  expect(t.hub.output()).toMatch(/"message":"z-wave server connected".*"server_version":"3\.10\.2"/);
  expect((await t.lockDevice(2)).device).toMatchObject({
    display_name: 'Unit 4B Front',
    properties: { online: true, max_active_codes_supported: 6 },
    errors: [],
  });
});

test('a code created through Latchkey is set on the lock, read back, and deleted', async () => {
  const device = await t.lockDevice(2);
  const { access_code } = await create({ device_id: device.device.device_id, code: '4821', name: 'Cleaner' });
  await t.until(
    'the code to be set',
    () => get(access_code.access_code_id),
    (c) => c.status === 'set',
  );
  expect(Object.values(await t.hub.slots(2))).toContain('4821');
  expect(t.hub.output()).toMatch(/"message":"slot written".*"outcome":"set"/);

  await deleteAccessCode(t.deps, t.ws.principal, { access_code_id: access_code.access_code_id });
  await t.until(
    'gone',
    () => gone(access_code.access_code_id),
    (g) => g,
  );
  expect(Object.values(await t.hub.slots(2))).not.toContain('4821');
});

test('a code added at the keypad reaches Latchkey as an unmanaged code (a server notification)', async () => {
  const device = await t.lockDevice(2);
  t.pins.push('6502');
  await t.hub.setAtKeypad(2, 6, '6502');
  await t.until(
    'the keypad code to be an unmanaged code',
    () => listUnmanagedCodes(t.deps, t.ws.principal, listUnmanagedInputSchema.parse({ device_id: device.device.device_id })),
    (list) => list.access_codes.some((c) => c.code === '6502'),
  );
});

test('a keypad unlock names the slot', async () => {
  const device = await t.lockDevice(2);
  await t.hub.unlockAtKeypad(2, 6);
  const line = await t.until(
    'the unlock to arrive',
    async () => t.logLines.find((l) => l.includes('keypad unlock')),
    (l) => l !== undefined,
  );
  expect(JSON.parse(line ?? '{}')).toMatchObject({ message: 'keypad unlock', device_id: device.device.device_id, slot: 6 });
});

test("a silent change is found through the lock's checksum, asked through the server, and the PIN is put back", async () => {
  const device = await t.lockDevice(2);
  const { access_code } = await create({ device_id: device.device.device_id, code: '3141' });
  await t.until(
    'set',
    () => get(access_code.access_code_id),
    (c) => c.status === 'set',
  );
  const slot = Number(Object.entries(await t.hub.slots(2)).find(([, code]) => code === '3141')?.[0]);
  // The server's value event for the write may come after it and read the slot once more: past one sweep, that is over.
  const settled = await t.hub.reads(2);
  await t.until(
    'a sweep',
    () => t.hub.reads(2),
    (r) => r.checksums > settled.checksums,
  );
  // Two sweeps whose checksum matched read no slot (a late value event may still read one: then the next two are watched).
  let before = await t.hub.reads(2);
  await t.until(
    'two sweeps that read no slot',
    async () => {
      const now = await t.hub.reads(2);
      if (now.checksums < before.checksums + 2) return false;
      const quiet = now.slots === before.slots;
      before = now;
      return quiet;
    },
    (quiet) => quiet,
  );
  t.clock.advance(60_000);
  t.pins.push('2718');
  await t.hub.changeSilently(2, slot, '2718');
  await t.until(
    'the PIN put back',
    () => t.hub.slots(2),
    (s) => s[String(slot)] === '3141',
  );
  expect(t.hub.output()).toContain('user code checksum differs: every slot read');
});

test('when the server restarts (Home Assistant restarting), the agent dials it again and a code created meanwhile is set', async () => {
  const device = await t.lockDevice(2);
  await t.hub.restartServer();
  const { access_code } = await create({ device_id: device.device.device_id, code: '5150' });
  await t.until(
    'the code to be set through the new connection',
    () => get(access_code.access_code_id),
    (c) => c.status === 'set',
  );
  expect(Object.values(await t.hub.slots(2))).toContain('5150');
  expect(t.hub.output().match(/"message":"z-wave server connected"/g)).toHaveLength(2);
});

test("no PIN reaches a log line, the agent's or Latchkey's", async () => {
  const logs = `${t.hub.output()}\n${t.logLines.join('\n')}`;
  expect(logs).toContain('slot written');
  for (const pin of t.pins) expect(logs).not.toContain(pin);
});
