import { SeamHttp } from '@seamapi/http';
import { type E2eServer, startE2eServer } from '../support/e2e-server';
import { ManualClock } from '../support/memory-app';
import { pollUntil, settle } from './poll';

/*
 * Keypad entries and use-limited codes through the official 2.x client, on DynamoDB Local with
 * a clock the test moves (each wait nudges it 100 ms per poll): a time-bound code entered before
 * its window is denied and inside it unlocks; a max_uses 2 code is gone after its second entry.
 */

const clock = new ManualClock(new Date('2027-02-01T10:00:00.000Z'));
let server: E2eServer;
let seam: SeamHttp;
let backDoor: string;
const since = clock.now().toISOString();

beforeAll(async () => {
  server = await startE2eServer({ clock });
  seam = SeamHttp.fromApiKey(server.apiKey, { endpoint: server.url });
  const lock = (await seam.devices.list()).find((d) => d.display_name === 'Back Door');
  if (!lock) throw new Error('No sandbox lock named Back Door');
  backDoor = lock.device_id;
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

const untilCode = (accessCodeId: string, what: string, done: (code: Record<string, unknown> | undefined) => boolean) =>
  pollUntil(
    what,
    async () => {
      clock.advance(100);
      const got = await settle(seam.accessCodes.get({ access_code_id: accessCodeId }));
      return 'value' in got ? (got.value as unknown as Record<string, unknown>) : undefined;
    },
    done,
  );

const entryEvents = async (accessCodeId: string) =>
  (await seam.events.list({ since, access_code_id: accessCodeId, event_types: ['lock.unlocked', 'lock.access_denied', 'access_code.first_used', 'access_code.use_limit_reached'] as never }))
    .reverse()
    .map((e) => {
      const fields = e as unknown as Record<string, unknown>;
      const reason = fields.reason as { reason_code?: string } | undefined;
      return [e.event_type, fields.access_code_id, reason?.reason_code ?? fields.method];
    })
    // Events of one entry share its time, so their order in the listing is not fixed: compared as sets.
    .sort((a, b) => String(a[0]).localeCompare(String(b[0])));

test('a time-bound code entered before its window is denied (expired_code), and inside it unlocks the lock', async () => {
  const startsAt = new Date(clock.now().getTime() + 2 * 3_600_000).toISOString();
  const endsAt = new Date(clock.now().getTime() + 5 * 3_600_000).toISOString();
  const code = await seam.accessCodes.create({ device_id: backDoor, code: '5150', starts_at: startsAt, ends_at: endsAt });
  await untilCode(code.access_code_id, 'the code scheduled on the lock', (c) => c?.is_scheduled_on_device === true);
  const attempt = await seam.locks.simulate.keypadCodeEntry({ device_id: backDoor, code: '5150' });
  expect(attempt).toMatchObject({ action_type: 'SIMULATE_KEYPAD_CODE_ENTRY', status: 'success' });
  clock.set(new Date(Date.parse(startsAt) + 60_000).toISOString());
  await untilCode(code.access_code_id, 'the code set in its window', (c) => c?.status === 'set');
  await seam.locks.simulate.keypadCodeEntry({ device_id: backDoor, code: '5150' });
  expect(await entryEvents(code.access_code_id)).toEqual([
    ['access_code.first_used', code.access_code_id, undefined],
    ['lock.access_denied', code.access_code_id, 'expired_code'],
    ['lock.unlocked', code.access_code_id, 'keycode'],
  ]);
  expect(await seam.accessCodes.get({ access_code_id: code.access_code_id })).toMatchObject({ use_count: 1 });
});

test('a max_uses 2 code is gone after its second entry, and a third entry is denied', async () => {
  const request: Parameters<SeamHttp['accessCodes']['create']>[0] = { device_id: backDoor, code: '7272', name: 'Two visits' };
  const code = await seam.accessCodes.create({ ...request, ...{ max_uses: 2 } });
  expect(code).toMatchObject({ max_uses: 2, use_count: 0 });
  await untilCode(code.access_code_id, 'the code set', (c) => c?.status === 'set');
  await seam.locks.simulate.keypadCodeEntry({ device_id: backDoor, code: '7272' });
  clock.advance(1000);
  await seam.locks.simulate.keypadCodeEntry({ device_id: backDoor, code: '7272' });
  await untilCode(code.access_code_id, 'the code gone', (c) => c === undefined);
  clock.advance(1000);
  await seam.locks.simulate.keypadCodeEntry({ device_id: backDoor, code: '7272' });
  expect(await entryEvents(code.access_code_id)).toEqual([
    ['access_code.first_used', code.access_code_id, undefined],
    ['access_code.use_limit_reached', code.access_code_id, undefined],
    ['lock.unlocked', code.access_code_id, 'keycode'],
    ['lock.unlocked', code.access_code_id, 'keycode'],
  ]);
  // The PIN is no code's any more: the lock refuses it as unknown.
  const denied = await seam.events.list({ since, device_id: backDoor, event_type: 'lock.access_denied' as never });
  expect(denied[0]).toMatchObject({ event_type: 'lock.access_denied', reason: { reason_code: 'unknown_code' } });
});
