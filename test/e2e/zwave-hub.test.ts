import { deleteAccessCode } from '../../lib/access-codes/delete-access-code';
import { zwaveHarnessForFile } from '../support/zwave-harness';

/*
 * The hub's connection and the agent's life: changes asked while the hub is offline wait in
 * the shadow and apply when it is back; an agent restart (a new driver on zwave-js's cache)
 * reprograms nothing it does not have to.
 */

const t = zwaveHarnessForFile([{ nodeId: 2, slots: 8, name: 'Cabin Door', userCodeVersion: 2 }]);

const create = (input: Record<string, unknown>) => t.create(input);
const get = (id: string) => t.get(id);
const gone = (id: string) => t.gone(id);
const onLock = async () => Object.values(await t.hub.slots(2));

test('while the hub is offline its locks show device_offline; changes queue and apply when it reconnects', async () => {
  const device = await t.lockDevice(2);
  const kept = await create({ device_id: device.device.device_id, code: '4417' });
  await t.until(
    'set',
    () => get(kept.access_code.access_code_id),
    (c) => c.status === 'set',
  );

  await t.iot.setReachable(t.thing, false);
  const offline = await t.until(
    'the lock offline',
    () => t.lockDevice(2),
    (d) => !d.device.properties.online,
  );
  expect(offline.device.errors.map((e) => e.error_code)).toEqual(['device_offline']);

  const queued = await create({ device_id: device.device.device_id, code: '8812' });
  await deleteAccessCode(t.deps, t.ws.principal, { access_code_id: kept.access_code.access_code_id });
  await t.run();
  expect(await get(queued.access_code.access_code_id)).toMatchObject({ status: 'setting' });
  expect(await get(kept.access_code.access_code_id)).toMatchObject({ status: 'removing' });
  expect(await onLock()).toContain('4417');
  expect(await onLock()).not.toContain('8812');

  await t.iot.setReachable(t.thing, true);
  await t.until(
    'the queued code set',
    () => get(queued.access_code.access_code_id),
    (c) => c.status === 'set',
  );
  await t.until(
    'the deleted code gone',
    () => gone(kept.access_code.access_code_id),
    (g) => g,
  );
  expect(await onLock()).toContain('8812');
  expect(await onLock()).not.toContain('4417');
  expect((await t.lockDevice(2)).device).toMatchObject({ properties: { online: true }, errors: [] });
});

test('an agent restart (new driver, zwave-js cache) reprograms no slot; a change made while it was down applies once', async () => {
  const device = await t.lockDevice(2);
  const codes = [await create({ device_id: device.device.device_id, code: '5150' }), await create({ device_id: device.device.device_id, code: '6061' })];
  for (const c of codes)
    await t.until(
      'set',
      () => get(c.access_code.access_code_id),
      (x) => x.status === 'set',
    );
  const before = await t.hub.setCommands(2);

  await t.iot.setReachable(t.thing, false);
  const queued = await create({ device_id: device.device.device_id, code: '7272' });
  await t.run();
  await t.hub.restartAgent();
  await t.iot.setReachable(t.thing, true);

  await t.until(
    'the code queued during the restart set',
    () => get(queued.access_code.access_code_id),
    (c) => c.status === 'set',
  );
  expect(await t.hub.setCommands(2)).toBe(before + 1);
  for (const c of codes) expect(await get(c.access_code.access_code_id)).toMatchObject({ status: 'set' });
  expect(await onLock()).toEqual(expect.arrayContaining(['5150', '6061', '7272']));
}, 120_000);
