import { type E2eServer, startE2eServer } from '../support/e2e-server';
import { expectValid, expectValidResponse } from '../support/seam-schemas';
import { pollUntil } from './poll';
import { type SdkActionAttempt, type SdkDevice, seamHttpV1, seamHttpV2 } from './seam-clients';

/*
 * Lock state and remote unlock on the sandbox locks through the official clients, which wait
 * for the UNLOCK_DOOR / LOCK_DOOR action attempt to end as Seam's do. Answers are checked
 * against Seam's own OpenAPI document.
 */

type Params = Record<string, unknown>;
interface LocksClient {
  locks: {
    get(params: { device_id: string }): PromiseLike<SdkDevice>;
    list(params?: Params): PromiseLike<SdkDevice[]>;
    unlockDoor(params: { device_id: string }): PromiseLike<SdkActionAttempt>;
    lockDoor(params: { device_id: string }): PromiseLike<SdkActionAttempt>;
  };
  events: { list(params: Params): PromiseLike<readonly { event_type: string; device_id?: string; action_attempt_id?: string; method?: string }[]> };
}

let server: E2eServer;

beforeAll(async () => {
  server = await startE2eServer();
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

async function call(path: string, body: Params): Promise<unknown> {
  const response = await fetch(`${server.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${server.apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(response.status).toBe(200);
  return response.json();
}

test.each([
  ['2.x', seamHttpV2, 'Front Door'],
  ['1.x', seamHttpV1, 'Back Door'],
])('with the %s client, a sandbox lock unlocks and locks again, with lock.unlocked and lock.locked (method remote)', async (_generation, sdk, name) => {
  const seam = new (sdk().SeamHttp)({ apiKey: server.apiKey, endpoint: server.url }) as unknown as LocksClient;
  const locks = await seam.locks.list();
  const lock = locks.find((l) => l.display_name === name);
  if (!lock) throw new Error(`no ${name}`);
  expect((await seam.locks.get({ device_id: lock.device_id })).properties).toMatchObject({ locked: true });

  const unlocked = await seam.locks.unlockDoor({ device_id: lock.device_id });
  expectValid('action_attempt', unlocked);
  expect(unlocked).toMatchObject({ action_type: 'UNLOCK_DOOR', status: 'success' });
  expect((await seam.locks.get({ device_id: lock.device_id })).properties).toMatchObject({ locked: false });

  const locked = await seam.locks.lockDoor({ device_id: lock.device_id });
  expect(locked).toMatchObject({ action_type: 'LOCK_DOOR', status: 'success' });
  expect((await seam.locks.get({ device_id: lock.device_id })).properties).toMatchObject({ locked: true });

  const events = await pollUntil(
    'the lock events',
    async () => await seam.events.list({ since: '2020-01-01T00:00:00.000Z', device_id: lock.device_id, event_types: ['lock.unlocked', 'lock.locked'] }),
    (list) => list.length === 2,
  );
  for (const event of events) expectValid('event', event);
  expect(events).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ event_type: 'lock.unlocked', method: 'remote', action_attempt_id: unlocked.action_attempt_id }),
      expect.objectContaining({ event_type: 'lock.locked', method: 'remote', action_attempt_id: locked.action_attempt_id }),
    ]),
  );
});

test('answers are Seam answers: /locks/get, /locks/list, /locks/unlock_door', async () => {
  const list = await call('/locks/list', {});
  expectValidResponse('/locks/list', list);
  const [lock] = (list as { locks: SdkDevice[] }).locks.filter((l) => l.display_name === 'Garage');
  if (!lock) throw new Error('no Garage');
  expectValidResponse('/locks/get', await call('/locks/get', { device_id: lock.device_id }));
  const unlocked = await call('/locks/unlock_door', { device_id: lock.device_id });
  expectValidResponse('/locks/unlock_door', unlocked);
  expect(unlocked).toMatchObject({ ok: true, action_attempt: { action_type: 'UNLOCK_DOOR', status: 'pending' } });
});
