import { type E2eServer, startE2eServer } from '../support/e2e-server';
import { expectValid, seamSchemaErrors } from '../support/seam-schemas';
import { pollUntil, settle } from './poll';
import { type SdkAccessCode, type SeamClient, type SeamSdk, checkedAccessCodes, field, seamHttpV2 } from './seam-clients';

/*
 * Access codes living their lives on the sandbox locks, watched through the 2.x client and the
 * raw HTTP API: states reached by polling, events, offline and full locks. Each wait is bounded
 * (200 ms polls, 15 s at most); nothing here asserts how long a step took. Each test has its
 * own lock, so most run concurrently.
 */

const sdk: SeamSdk = seamHttpV2();
let server: E2eServer;
let seam: SeamClient;
let codes: ReturnType<typeof checkedAccessCodes>;
const deviceIds = new Map<string, string>();

beforeAll(async () => {
  server = await startE2eServer();
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

/** Calls a route the client has no method for, with the sandbox key; the parsed body on 200. */
async function callApi(method: 'GET' | 'POST', path: string, params: Record<string, string>): Promise<unknown> {
  const query = method === 'GET' ? `?${new URLSearchParams(params)}` : '';
  const response = await fetch(`${server.url}${path}${query}`, {
    method,
    headers: { authorization: `Bearer ${server.apiKey}`, 'content-type': 'application/json' },
    ...(method === 'POST' && { body: JSON.stringify(params) }),
  });
  const body: unknown = await response.json();
  if (response.status !== 200) throw new Error(`${method} ${path} answered ${response.status}: ${JSON.stringify(body)}`);
  return body;
}

const waitForStatus = (accessCodeId: string, status: string) =>
  pollUntil(
    `access code ${accessCodeId} to be ${status}`,
    () => codes.get({ access_code_id: accessCodeId }),
    (c) => c.status === status,
  );

const hasError = (code: SdkAccessCode, errorCode: string) => code.errors.some((e) => e.error_code === errorCode);

test.concurrent('an ongoing code goes from setting to set, and its action attempt ends in success', async () => {
  const { accessCode, actionAttempt } = await codes.create({ device_id: lock('Front Door'), name: 'Nanny' });
  expect(accessCode.status).toBe('setting');

  const seen: string[] = [];
  await pollUntil(
    'the code to be set',
    () => codes.get({ access_code_id: accessCode.access_code_id }),
    (c) => {
      seen.push(c.status);
      return c.status === 'set';
    },
  );
  expect(seen.filter((s) => s !== 'setting' && s !== 'set')).toEqual([]);

  const finished = await pollUntil(
    'the action attempt to finish',
    async () => {
      const attempt = await seam.actionAttempts.get({ action_attempt_id: actionAttempt.action_attempt_id }, { waitForActionAttempt: false });
      expectValid('action_attempt', attempt);
      return attempt;
    },
    (a) => a.status !== 'pending',
  );
  expect(finished).toMatchObject({ action_attempt_id: actionAttempt.action_attempt_id, action_type: 'CREATE_ACCESS_CODE', status: 'success' });
});

test.concurrent('a time-bound code on a just-in-time lock is set for its window, then removed, with its events', async () => {
  const since = new Date(Date.now() - 1000).toISOString();
  const startsAt = new Date(Date.now() + 2000).toISOString();
  // Long enough to see it `set` on a loaded machine, where a step can take seconds.
  const endsAt = new Date(Date.now() + 20_000).toISOString();
  const sideGate = lock('Side Gate');
  const { accessCode } = await codes.create({ device_id: sideGate, name: 'Courier', starts_at: startsAt, ends_at: endsAt });
  const id = accessCode.access_code_id;
  expect(accessCode).toMatchObject({ type: 'time_bound', starts_at: startsAt, ends_at: endsAt });

  await waitForStatus(id, 'set');
  const gone = await pollUntil(
    'the expired code to be gone',
    () => settle(seam.accessCodes.get({ access_code_id: id })),
    (outcome) => {
      if (!('value' in outcome)) return true;
      expectValid('access_code', outcome.value);
      expect(['set', 'removing']).toContain(outcome.value.status);
      return false;
    },
    { timeoutMs: 40_000 },
  );
  // Gone, and not before its window ended.
  expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(endsAt));
  expect('error' in gone && gone.error).toBeInstanceOf(sdk.SeamHttpApiError);
  expect(gone).toMatchObject({ error: { code: 'access_code_not_found', statusCode: 404 } });
  const listed = await seam.accessCodes.list({ device_id: sideGate });
  for (const code of listed) expectValid('access_code', code);
  expect(listed.map((c) => c.access_code_id)).not.toContain(id);

  const events = field(await callApi('GET', '/events/list', { since, access_code_id: id }), 'events');
  if (!Array.isArray(events)) throw new Error(`events/list gave no events array: ${JSON.stringify(events)}`);
  const types = events
    .map((e: unknown) => ({ type: field(e, 'event_type'), at: String(field(e, 'occurred_at')) }))
    .sort((a, b) => a.at.localeCompare(b.at))
    .map((e) => e.type);
  expect(types).toEqual(expect.arrayContaining(['access_code.created', 'access_code.set_on_device', 'access_code.removed_from_device']));
  expect(types.indexOf('access_code.created')).toBeLessThan(types.indexOf('access_code.set_on_device'));
  expect(types.indexOf('access_code.set_on_device')).toBeLessThan(types.indexOf('access_code.removed_from_device'));
  for (const event of events) expect(event).toMatchObject({ access_code_id: id, device_id: sideGate });
  const invalid = events.map((e: unknown) => ({ event_type: field(e, 'event_type'), schema_errors: seamSchemaErrors('event', e) })).filter((e) => e.schema_errors.length > 0);
  expect(invalid).toEqual([]);
}, 60_000);

test.concurrent('a code created on an offline lock shows device_offline, and is set once the lock is back', async () => {
  const poolHouse = lock('Pool House');
  await callApi('POST', '/devices/simulate/disconnect', { device_id: poolHouse });
  const offline = await seam.devices.get({ device_id: poolHouse });
  expect(offline).toMatchObject({ properties: { online: false }, errors: [expect.objectContaining({ error_code: 'device_offline' })] });

  const { accessCode } = await codes.create({ device_id: poolHouse, name: 'Gardener' });
  const id = accessCode.access_code_id;
  const failing = await pollUntil(
    'the device_offline error',
    () => codes.get({ access_code_id: id }),
    (c) => hasError(c, 'device_offline'),
  );
  expect(failing.status).not.toBe('set');

  await callApi('POST', '/devices/simulate/connect', { device_id: poolHouse });
  const set = await waitForStatus(id, 'set');
  expect(hasError(set, 'device_offline')).toBe(false);
  const online = await seam.devices.get({ device_id: poolHouse });
  expect(online).toMatchObject({ properties: { online: true }, errors: [] });
  expectValid('device', offline);
  expectValid('device', online);
});

test.concurrent('the third ongoing code on a two-slot lock gets no_space_for_access_code_on_device', async () => {
  const storageRoom = lock('Storage Room');
  const first = (await codes.create({ device_id: storageRoom, name: 'Slot one' })).accessCode;
  const second = (await codes.create({ device_id: storageRoom, name: 'Slot two' })).accessCode;
  await waitForStatus(first.access_code_id, 'set');
  await waitForStatus(second.access_code_id, 'set');

  const third = (await codes.create({ device_id: storageRoom, name: 'No room' })).accessCode;
  const full = await pollUntil(
    'the no-space error',
    () => codes.get({ access_code_id: third.access_code_id }),
    (c) => hasError(c, 'no_space_for_access_code_on_device'),
  );
  expect(full.status).not.toBe('set');
  expect((await codes.get({ access_code_id: first.access_code_id })).status).toBe('set');
  expect((await codes.get({ access_code_id: second.access_code_id })).status).toBe('set');
});

// Alone, after the others: its 28 codes would slow the engine under the timed tests.
test('renaming a code right after creating it never answers 409 conflict', async () => {
  const backDoor = lock('Back Door');
  // The rename races the engine's first write to the new code (the worker starts setting it at
  // once). Sixteen codes at once, then twelve one by one, make the race all but certain to happen.
  const createAndRename = async (name: string) => {
    const { accessCode } = await codes.create({ device_id: backDoor, name });
    const renamed = await settle(seam.accessCodes.update({ access_code_id: accessCode.access_code_id, name: `${name} (r)` }));
    return 'error' in renamed ? [`${name}: ${String(renamed.error)} ${JSON.stringify(renamed.error)}`] : [];
  };
  const failures = (await Promise.all(Array.from({ length: 16 }, (_, i) => createAndRename(`Guest ${i}`)))).flat();
  for (let i = 0; i < 12; i++) failures.push(...(await createAndRename(`Visitor ${i}`)));
  expect(failures).toEqual([]);
});
