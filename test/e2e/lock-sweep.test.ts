import { type E2eServer, startE2eServer } from '../support/e2e-server';
import { pollUntil } from './poll';
import { type SeamClient, seamHttpV2 } from './seam-clients';

/*
 * The sweep of idle locks through the real server (DynamoDB Local, poller ticking every second)
 * with a sweep interval of 6 s: a change made silently at a sandbox lock, which nothing
 * announces, is found by the sweep and put back.
 */

let server: E2eServer;
let seam: SeamClient;

beforeAll(async () => {
  process.env.LATCHKEY_LOCK_SWEEP_MINUTES = '0.1';
  server = await startE2eServer();
  seam = new (seamHttpV2().SeamHttp)({ apiKey: server.apiKey, endpoint: server.url });
}, 60_000);

afterAll(async () => {
  delete process.env.LATCHKEY_LOCK_SWEEP_MINUTES;
  await server?.stop();
});

test('a silent change to a set code is found within one sweep interval and the PIN is put back', async () => {
  const lock = (await seam.devices.list()).find((d) => d.display_name === 'Back Door');
  if (!lock) throw new Error('no Back Door');
  const code = await seam.accessCodes.create({ device_id: lock.device_id, name: 'Guest', code: '5729' });
  const set = await pollUntil(
    'the code to be set',
    async () => await seam.accessCodes.get({ access_code_id: code.access_code_id }),
    (c) => c.status === 'set',
  );
  // Latchkey's extra field: the read-back that settled it verified it.
  expect(Date.parse((set as { last_verified_at?: string }).last_verified_at ?? '')).toBeGreaterThan(0);
  const response = await fetch(`${server.url}/access_codes/simulate/external_modification`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ access_code_id: code.access_code_id, change_type: 'modified', code: '1357', silent: true }),
  });
  expect(response.status).toBe(200);
  const events = await pollUntil(
    'the sweep to find the change',
    async () => await seam.events.list({ since: '2020-01-01T00:00:00.000Z', access_code_id: code.access_code_id, event_type: 'access_code.modified_external_to_seam' }),
    (list) => list.length === 1,
  );
  expect(events).toHaveLength(1);
  const back = await pollUntil(
    'the PIN to be put back',
    async () => await seam.accessCodes.get({ access_code_id: code.access_code_id }),
    (c) => c.status === 'set' && c.code === '5729',
  );
  expect(back).toMatchObject({ code: '5729', status: 'set' });
  expect(Date.parse((back as { last_verified_at?: string }).last_verified_at ?? '')).toBeGreaterThan(Date.parse((set as { last_verified_at?: string }).last_verified_at ?? ''));
}, 60_000);
