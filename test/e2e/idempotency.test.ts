import { randomUUID } from 'node:crypto';
import { type E2eServer, startE2eServer } from '../support/e2e-server';
import { type SeamSdk, field, seamHttpV1, seamHttpV2 } from './seam-clients';

/*
 * A retry-safe create with each official client generation, as the README shows it: the key is
 * a header of the client (axiosOptions), one client per operation; the whole local Latchkey on
 * DynamoDB Local.
 */
const generations: [string, () => SeamSdk][] = [
  ['@seamapi/http 1.102.0', seamHttpV1],
  ['@seamapi/http 2.32.0', seamHttpV2],
];

let server: E2eServer;
beforeAll(async () => {
  server = await startE2eServer();
}, 60_000);
afterAll(async () => server?.stop());

describe.each(generations)('%s', (_, load) => {
  const plain = () => new (load().SeamHttp)({ apiKey: server.apiKey, endpoint: server.url });
  const withKey = (key: string) => new (load().SeamHttp)({ apiKey: server.apiKey, endpoint: server.url, axiosOptions: { headers: { 'Idempotency-Key': key } } });

  it('a create retried with the same key returns the same code, which exists once', async () => {
    const [device] = await plain().devices.list();
    if (!device) throw new Error('no device');
    const key = `create-${randomUUID()}`;
    const params = { device_id: device.device_id, name: `Guest ${key}` };
    const first = await withKey(key).accessCodes.create(params);
    const retried = await withKey(key).accessCodes.create(params);
    expect(retried.access_code_id).toBe(first.access_code_id);
    const listed = await plain().accessCodes.list({ device_id: device.device_id });
    expect(listed.filter((c) => c.name === params.name).map((c) => c.access_code_id)).toEqual([first.access_code_id]);
  });

  it('a delete retried with the same key answers as the first did (the code is not reported missing)', async () => {
    const [device] = await plain().devices.list();
    if (!device) throw new Error('no device');
    const created = await plain().accessCodes.create({ device_id: device.device_id, name: 'Leaving' });
    const key = `delete-${randomUUID()}`;
    const first = await withKey(key).accessCodes.delete({ access_code_id: created.access_code_id }).fetchResponse();
    const retried = await withKey(key).accessCodes.delete({ access_code_id: created.access_code_id }).fetchResponse();
    expect(field(retried, 'action_attempt')).toEqual(field(first, 'action_attempt'));
  });

  it('another request with a used key is refused with idempotency_key_reused', async () => {
    const [device] = await plain().devices.list();
    if (!device) throw new Error('no device');
    const key = `reused-${randomUUID()}`;
    await withKey(key).accessCodes.create({ device_id: device.device_id, name: 'One' });
    const refused = await withKey(key)
      .accessCodes.create({ device_id: device.device_id, name: 'Another' })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(refused).toBeInstanceOf(load().SeamHttpApiError);
    expect(refused).toMatchObject({ code: 'idempotency_key_reused', statusCode: 422 });
  });
});
