import { type E2eServer, startE2eServer } from '../support/e2e-server';
import { ManualClock } from '../support/memory-app';
import { pollUntil } from './poll';
import { type SeamClient, checkedAccessCodes, field, seamHttpV2 } from './seam-clients';

/*
 * Weekly recurring codes on sandbox locks, through the official 2.x client, on a clock the test
 * moves: the server (DynamoDB Local, the poller, the sandbox locks' latency) runs on it. Each
 * wait nudges the clock by 100 ms per poll, far less than the slack around each window edge.
 */

const clock = new ManualClock(new Date('2027-01-04T11:55:00.000Z')); // a Monday
const sdk = seamHttpV2();
let server: E2eServer;
let seam: SeamClient;
let codes: ReturnType<typeof checkedAccessCodes>;
const deviceIds = new Map<string, string>();

beforeAll(async () => {
  server = await startE2eServer({ clock });
  seam = new sdk.SeamHttp({ apiKey: server.apiKey, endpoint: server.url });
  codes = checkedAccessCodes(seam);
  for (const device of await seam.devices.list()) deviceIds.set(device.display_name, device.device_id);
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

const lock = (name: string): string => {
  const id = deviceIds.get(name);
  if (id === undefined) throw new Error(`No sandbox lock named ${name}`);
  return id;
};

/** Polls the code, moving the clock on 100 ms before each read, until `done` holds. */
const untilCode = (accessCodeId: string, what: string, done: (code: Record<string, unknown>) => boolean) =>
  pollUntil(
    what,
    async () => {
      clock.advance(100);
      return (await codes.get({ access_code_id: accessCodeId })) as unknown as Record<string, unknown>;
    },
    done,
  );

/** The code's set and removed events in order; moves the clock on 100 ms first, as untilCode does. */
const eventsOf = async (accessCodeId: string, since: string) => {
  clock.advance(100);
  const events = await seam.events.list({ since, access_code_id: accessCodeId, event_types: ['access_code.set_on_device', 'access_code.removed_from_device'] });
  return events.map((e) => e.event_type).reverse();
};

const twoWindows = {
  time_zone: 'UTC',
  weekly: [
    { days: ['mon'], start_time: '12:00', end_time: '12:01' },
    { days: ['mon'], start_time: '12:02', end_time: '12:03' },
  ],
};

test('a recurring code with two windows a minute apart is set in each and unset between, on a lock that takes codes just in time', async () => {
  const since = clock.now().toISOString();
  const { accessCode } = await codes.create({ device_id: lock('Side Gate'), name: 'Dog walker', recurring_schedule: twoWindows });
  const id = field(accessCode, 'access_code_id');
  if (typeof id !== 'string') throw new Error('no access_code_id');
  expect(field(accessCode, 'status')).toBe('unset');
  expect(field(accessCode, 'recurring_schedule')).toEqual(twoWindows);
  expect((field(accessCode, 'upcoming_windows') as unknown[]).slice(0, 3)).toEqual([
    { starts_at: '2027-01-04T12:00:00.000Z', ends_at: '2027-01-04T12:01:00.000Z' },
    { starts_at: '2027-01-04T12:02:00.000Z', ends_at: '2027-01-04T12:03:00.000Z' },
    { starts_at: '2027-01-11T12:00:00.000Z', ends_at: '2027-01-11T12:01:00.000Z' },
  ]);

  clock.set('2027-01-04T11:59:00.000Z');
  const early = await untilCode(id, 'the code to stay unset in its lead time', (c) => c.status === 'unset' && (c.pending_mutations as unknown[]).length === 0);
  expect(early.status).toBe('unset');

  clock.set('2027-01-04T12:00:05.000Z');
  await untilCode(id, 'the code to be set in its first window', (c) => c.status === 'set');

  clock.set('2027-01-04T12:01:05.000Z');
  await untilCode(id, 'the code to be unset between windows', (c) => c.status === 'unset');
  await pollUntil(
    'the code to come off the lock between windows',
    () => eventsOf(id, since),
    (types) => types.includes('access_code.removed_from_device'),
  );
  const between = await codes.get({ access_code_id: id });
  expect(between.status).toBe('unset');

  clock.set('2027-01-04T12:02:05.000Z');
  const second = await untilCode(id, 'the code to be set in its second window', (c) => c.status === 'set');
  expect((second.upcoming_windows as { starts_at: string }[])[0]?.starts_at).toBe('2027-01-04T12:02:00.000Z');

  clock.set('2027-01-04T12:03:05.000Z');
  await untilCode(id, 'the code to be unset after its second window', (c) => c.status === 'unset');
  const types = await pollUntil(
    'the second removal',
    () => eventsOf(id, since),
    (t) => t.filter((e) => e === 'access_code.removed_from_device').length === 2,
  );
  expect(types).toEqual(['access_code.set_on_device', 'access_code.removed_from_device', 'access_code.set_on_device', 'access_code.removed_from_device']);
});

test('a lock that keeps weekly schedules (the sandbox Nuki) holds the code once, scheduled on the device', async () => {
  clock.set('2027-01-11T08:00:00.000Z');
  const schedule = { time_zone: 'Europe/Berlin', weekly: [{ days: ['tue', 'fri'], start_time: '10:00', end_time: '14:00' }] };
  const { accessCode } = await codes.create({ device_id: lock('Garage'), name: 'Cleaner', recurring_schedule: schedule });
  const id = field(accessCode, 'access_code_id');
  if (typeof id !== 'string') throw new Error('no access_code_id');
  const held = await untilCode(id, 'the code to be scheduled on the lock', (c) => c.is_scheduled_on_device === true);
  expect(held.status).toBe('unset');
  expect((held.upcoming_windows as unknown[])[0]).toEqual({ starts_at: '2027-01-12T09:00:00.000Z', ends_at: '2027-01-12T13:00:00.000Z' });

  clock.set('2027-01-12T09:00:01.000Z');
  const inWindow = await untilCode(id, 'the code to be set in its window', (c) => c.status === 'set');
  expect(inWindow.is_scheduled_on_device).toBe(true);
});

test('a bad schedule is a 400 naming the field', async () => {
  const response = await fetch(`${server.url}/access_codes/create`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ device_id: lock('Side Gate'), recurring_schedule: { time_zone: 'Mars/Olympus_Mons', weekly: [{ days: ['mon'], start_time: '10:00', end_time: '10:00' }] } }),
  });
  expect(response.status).toBe(400);
  const body = (await response.json()) as { error: { type: string; message: string } };
  expect(body.error.type).toBe('invalid_input');
  expect(body.error.message).toMatch(/recurring_schedule\.(time_zone|weekly\.0\.end_time)/);
});
