import { type SeamUpstreamServer, startSeamUpstreamServer } from '../support/seam-upstream-server';
import { pollUntil } from './poll';

/*
 * The sweep of a Seam upstream lock through the real server (DynamoDB Local, poller ticking
 * every second, Seam's fake as the upstream, no webhooks) with a sweep interval of 6 s: a PIN
 * changed, and then a code removed, directly in the fake's database (behind Latchkey's back;
 * nothing announces it) are found by the sweep's one /access_codes/list of the lock and put back
 * under the external-modification rules; a code set at Seam outside Latchkey becomes an
 * unmanaged code.
 */

let t: SeamUpstreamServer;
const state = () => t.upstream.fake.database;
const upstreamCodes = () => state().access_codes.filter((c) => c.device_id === t.upstreamDeviceId);
/** Seam reporting every code of the lock as set, as it does once the lock confirms. */
const confirmAll = () => {
  for (const code of upstreamCodes()) if (code.status !== 'set') state().updateAccessCode({ access_code_id: code.access_code_id, status: 'set' });
};
const wait = { timeoutMs: 30_000 };

beforeAll(async () => {
  t = await startSeamUpstreamServer({ env: { LATCHKEY_LOCK_SWEEP_MINUTES: '0.1' } });
}, 60_000);

afterAll(async () => {
  await t?.stop();
});

const eventsOf = (accessCodeId: string, eventType: string) => t.seam.events.list({ since: '2020-01-01T00:00:00.000Z', access_code_id: accessCodeId, event_type: eventType });

test("a PIN changed and a code removed at the upstream behind Latchkey's back are found by the sweep and put back", async () => {
  const code = await t.seam.accessCodes.create({ device_id: t.deviceId, name: 'Guest', code: '5729' });
  await pollUntil(
    'the code upstream',
    async () => upstreamCodes().length,
    (n) => n === 1,
    wait,
  );
  confirmAll();
  await pollUntil(
    'the code to be set',
    async () => await t.seam.accessCodes.get({ access_code_id: code.access_code_id }),
    (c) => c.status === 'set',
    wait,
  );
  const [upstreamCode] = upstreamCodes();
  if (!upstreamCode) throw new Error('no upstream code');

  const listsBefore = t.upstream.requests.filter((r) => r.endsWith(' /access_codes/list')).length;
  state().updateAccessCode({ access_code_id: upstreamCode.access_code_id, code: '1357' });
  const modified = await pollUntil(
    'the sweep to find the change',
    async () => await eventsOf(code.access_code_id, 'access_code.modified_external_to_seam'),
    (list) => list.length === 1,
    wait,
  );
  expect(modified).toHaveLength(1);
  // Found by reading the lock's codes upstream, not by a webhook (there is none).
  expect(t.upstream.requests.filter((r) => r.endsWith(' /access_codes/list')).length).toBeGreaterThan(listsBefore);
  await pollUntil(
    'the PIN put back upstream',
    async () => upstreamCodes().map((c) => c.code),
    (codes) => codes.length === 1 && codes[0] === '5729',
    wait,
  );
  await pollUntil(
    'the code set again',
    async () => await t.seam.accessCodes.get({ access_code_id: code.access_code_id }),
    (c) => c.status === 'set' && c.code === '5729',
    wait,
  );

  state().deleteAccessCode(upstreamCode.access_code_id);
  await pollUntil(
    'the sweep to find the removal',
    async () => await eventsOf(code.access_code_id, 'access_code.deleted_external_to_seam'),
    (list) => list.length === 1,
    wait,
  );
  await pollUntil(
    'the code created upstream again',
    async () => upstreamCodes().map((c) => c.code),
    (codes) => codes.length === 1 && codes[0] === '5729',
    wait,
  );
  confirmAll();
  const back = await pollUntil(
    'the code set again',
    async () => await t.seam.accessCodes.get({ access_code_id: code.access_code_id }),
    (c) => c.status === 'set',
    wait,
  );
  expect(back).toMatchObject({ code: '5729', status: 'set' });
  // Latchkey's own code was never taken for one set outside it.
  expect(await t.seam.accessCodes.unmanaged.list({ device_id: t.deviceId })).toEqual([]);
}, 120_000);

test('a code set at Seam outside Latchkey becomes an unmanaged code through the sweep', async () => {
  state().addAccessCode({ workspace_id: t.upstream.workspaceId, device_id: t.upstreamDeviceId, name: 'Cleaner', code: '8642', status: 'set' });
  const unmanaged = await pollUntil(
    'the unmanaged code',
    async () => await t.seam.accessCodes.unmanaged.list({ device_id: t.deviceId }),
    (list) => list.length === 1,
    wait,
  );
  expect(unmanaged).toEqual([expect.objectContaining({ code: '8642', name: 'Cleaner', device_id: t.deviceId })]);
}, 120_000);
