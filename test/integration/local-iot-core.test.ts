import mqtt from 'mqtt';
import { type LocalIotCore, startLocalIotCore } from '../../lib/local/zwave/local-iot-core';

/* The local IoT Core stand-in over real MQTT: the shadow topics, and the hub policy's limits. */

let iot: LocalIotCore;
beforeAll(async () => {
  iot = await startLocalIotCore();
  iot.registerThing('latchkey-hub-a');
  iot.registerThing('latchkey-hub-b');
});
afterAll(() => iot.close());

const connect = (clientId: string) => mqtt.connectAsync(iot.url, { clientId, reconnectPeriod: 0, protocolVersion: 4 });
const next = (client: mqtt.MqttClient, topic: string) =>
  new Promise<Record<string, unknown>>((resolve) => {
    const on = (t: string, payload: Buffer) => {
      if (t !== topic) return;
      client.off('message', on);
      resolve(JSON.parse(payload.toString()));
    };
    client.on('message', on);
  });

test('only a known thing may connect, and only as itself on its own topics', async () => {
  await expect(connect('somebody-else')).rejects.toThrow();
  const hub = await connect('latchkey-hub-a');
  await expect(hub.subscribeAsync('$aws/things/latchkey-hub-a/shadow/name/lock-2/update/delta')).resolves.toEqual([expect.objectContaining({ qos: 0 })]);
  // Another hub's topics: the broker refuses the subscription (SUBACK 128), as IoT Core's policy does.
  await expect(hub.subscribeAsync('$aws/things/latchkey-hub-b/shadow/name/lock-2/update/delta')).rejects.toThrow(/Subscribe error/);
  await hub.endAsync();
});

test('shadow updates over MQTT: accepted with the token, a delta for the device, 409 on a stale version, presence seen', async () => {
  const presence: string[] = [];
  iot.onPresence((id, connected) => presence.push(`${id}:${connected}`));
  const hub = await connect('latchkey-hub-b');
  const prefix = '$aws/things/latchkey-hub-b/shadow/name/lock-3';
  await hub.subscribeAsync([`${prefix}/update/accepted`, `${prefix}/update/rejected`, `${prefix}/update/delta`]);
  const accepted = next(hub, `${prefix}/update/accepted`);
  await hub.publishAsync(`${prefix}/update`, JSON.stringify({ state: { reported: { slots: { '1': '' } } }, clientToken: 'c1' }), { qos: 1 });
  expect(await accepted).toMatchObject({ version: 1, clientToken: 'c1', state: { reported: { slots: { '1': '' } } } });

  const delta = next(hub, `${prefix}/update/delta`);
  iot.updateThingShadow('latchkey-hub-b', 'lock-3', { state: { desired: { slots: { '1': '4821' } } }, version: 1 });
  expect(await delta).toMatchObject({ version: 2, state: { slots: { '1': '4821' } } });

  const rejected = next(hub, `${prefix}/update/rejected`);
  await hub.publishAsync(`${prefix}/update`, JSON.stringify({ state: { reported: { slots: { '1': '4821' } } }, version: 1, clientToken: 'c2' }), { qos: 1 });
  expect(await rejected).toMatchObject({ code: 409, clientToken: 'c2' });
  await hub.endAsync();
  expect(presence).toContain('latchkey-hub-b:true');
});
