import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { stableDeviceId } from '../../lib/devices/derived-ids';
import { type E2eServer, createOtherWorkspace, startE2eServer } from '../support/e2e-server';
import { type FakeSeam, newWebhookSecret, startFakeSeam, svixHeaders } from '../support/fake-seam';
import { expectValid } from '../support/seam-schemas';
import { pollUntil, rejectionOf, settle } from './poll';
import { type SeamClient, type SeamSdk, field, seamHttpV2 } from './seam-clients';

/*
 * A customer's Seam workspace as the upstream of real locks: Seam's own fake, started in this
 * process, behind Latchkey run as `npm start` runs it. The account is connected with the
 * operator CLI, codes are driven through the official 2.x client, and the test moves the
 * upstream as Seam would (statuses, outages, offline locks, signed webhooks).
 */

const run = promisify(execFile);
const sdk: SeamSdk = seamHttpV2();
let upstream: FakeSeam;
let server: E2eServer;
let seam: SeamClient;
let accountId: string;
let unitDeviceId: string;
const webhookSecret = newWebhookSecret();
const upstreamUnitId = 'unit_4b_lock';

const state = () => upstream.fake.database;
const upstreamCodes = (deviceId = upstreamUnitId) => state().access_codes.filter((c) => c.device_id === deviceId);

/** The operator CLI against the running server's DynamoDB Local, as an operator runs it. */
async function latchkey(...args: string[]) {
  const env = { ...process.env, LATCHKEY_TABLE_NAME: 'latchkey', LOG_LEVEL: 'SILENT' };
  const { stdout } = await run('node', ['--conditions=import', '--import', 'tsx', 'lib/cli/main.ts', ...args], { env });
  return JSON.parse(stdout) as Record<string, unknown>;
}

async function postWebhook(payload: object, headers?: Record<string, string>) {
  const body = JSON.stringify(payload);
  return fetch(`${server.url}/webhooks/seam/${accountId}`, { method: 'POST', body, headers: headers ?? svixHeaders(webhookSecret, body) });
}

const getCode = async (accessCodeId: string) => seam.accessCodes.get({ access_code_id: accessCodeId });

beforeAll(async () => {
  upstream = await startFakeSeam();
  state().addDevice({
    device_id: upstreamUnitId,
    device_type: 'schlage_lock',
    name: 'Unit 4B',
    display_name: 'Unit 4B',
    workspace_id: upstream.workspaceId,
    connected_account_id: upstream.connectedAccountId,
    can_program_online_access_codes: true,
    properties: { online: true, supported_code_lengths: [4, 6], max_active_codes_supported: 20 },
  });
  process.env.LATCHKEY_SEAM_POLL_SECONDS = '1';
  server = await startE2eServer();
  seam = new sdk.SeamHttp({ apiKey: server.apiKey, endpoint: server.url });
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await upstream?.stop();
});

describe('a Seam workspace as a provider', () => {
  it('connects with the operator CLI and brings in the upstream locks that program online codes', async () => {
    const connected = await latchkey(
      'accounts',
      'connect',
      'seam',
      '--workspace',
      server.workspaceId,
      '--api-key',
      upstream.apiKey,
      '--endpoint',
      upstream.endpoint,
      '--webhook-secret',
      webhookSecret,
    );
    const upstreamLocks = state().devices.filter((d) => d.workspace_id === upstream.workspaceId && d.can_program_online_access_codes);
    expect(connected).toEqual({ connected_account_id: expect.any(String), devices: upstreamLocks.length });
    accountId = String(connected.connected_account_id);

    const account = field(await fetchJson('/connected_accounts/get', { connected_account_id: accountId }), 'connected_account');
    expectValid('connected_account', account);
    expect(JSON.stringify(account)).not.toContain(upstream.apiKey);
    expect(JSON.stringify(account)).not.toContain(webhookSecret);

    const devices = (await seam.devices.list()).filter((d) => field(d, 'connected_account_id') === accountId);
    expect(devices.map((d) => d.display_name).sort()).toEqual(upstreamLocks.map((d) => d.display_name).sort());
    for (const device of devices) expectValid('device', device);
    const unit = devices.find((d) => d.display_name === 'Unit 4B');
    expect(unit?.properties.supported_code_lengths).toEqual([4, 6]);
    unitDeviceId = unit?.device_id ?? '';
  });

  it("unlocks and locks an upstream lock through the upstream's own /locks routes, with Latchkey's events and ids", async () => {
    const locks = seam as unknown as {
      locks: {
        list(): Promise<{ device_id: string; connected_account_id: string; can_remotely_unlock: boolean; properties: { locked: boolean } }[]>;
        unlockDoor(params: { device_id: string }): Promise<{ action_attempt_id: string; action_type: string; status: string }>;
        lockDoor(params: { device_id: string }): Promise<{ action_attempt_id: string; action_type: string; status: string }>;
      };
      events: { list(params: Record<string, unknown>): Promise<{ event_type: string; device_id: string; action_attempt_id?: string; method?: string }[]> };
    };
    const lock = (await locks.locks.list()).find((d) => d.connected_account_id === accountId && d.can_remotely_unlock);
    if (!lock) throw new Error('no upstream lock that unlocks remotely');

    const unlocked = await locks.locks.unlockDoor({ device_id: lock.device_id });
    expect(unlocked).toMatchObject({ action_type: 'UNLOCK_DOOR', status: 'success' });
    const upstreamDevice = () => state().devices.find((d) => stableDeviceId(accountId, d.device_id) === lock.device_id);
    expect(state().action_attempts.filter((a) => field(a, 'action_type') === 'UNLOCK_DOOR')).toHaveLength(1);
    expect(upstreamDevice()?.properties.locked).toBe(false);
    const locked = await locks.locks.lockDoor({ device_id: lock.device_id });
    expect(locked).toMatchObject({ action_type: 'LOCK_DOOR', status: 'success' });
    expect(upstreamDevice()?.properties.locked).toBe(true);

    const events = await pollUntil(
      'the lock events',
      () => locks.events.list({ since: '2020-01-01T00:00:00.000Z', device_id: lock.device_id, event_types: ['lock.unlocked', 'lock.locked'] }),
      (list) => list.length === 2,
    );
    for (const event of events) expectValid('event', event);
    expect(events).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ event_type: 'lock.unlocked', method: 'remote', device_id: lock.device_id, action_attempt_id: unlocked.action_attempt_id }),
        expect.objectContaining({ event_type: 'lock.locked', method: 'remote', device_id: lock.device_id, action_attempt_id: locked.action_attempt_id }),
      ]),
    );
  });

  it('creates a code upstream exactly once and follows the upstream status by polling', async () => {
    const code = await seam.accessCodes.create({ device_id: unitDeviceId, name: 'Guest 42', code: '4829' });
    const created = await pollUntil(
      'the code upstream',
      async () => upstreamCodes().filter((c) => c.code === '4829'),
      (c) => c.length > 0,
    );
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ name: 'Guest 42' });

    state().updateAccessCode({ access_code_id: created[0]?.access_code_id ?? '', status: 'set' });
    const set = await pollUntil(
      'status set',
      () => getCode(code.access_code_id),
      (c) => c.status === 'set',
    );
    expectValid('access_code', set);
    expect(upstreamCodes().filter((c) => c.code === '4829')).toHaveLength(1);
  });

  it('follows an upstream status at once on a signed webhook, and refuses a forged one', async () => {
    const code = await seam.accessCodes.create({ device_id: unitDeviceId, code: '5172' });
    const [upstreamCode] = await pollUntil(
      'the code upstream',
      async () => upstreamCodes().filter((c) => c.code === '5172'),
      (c) => c.length > 0,
    );
    const event = { event_id: 'evt_1', event_type: 'access_code.set_on_device', workspace_id: upstream.workspaceId, device_id: upstreamUnitId, access_code_id: upstreamCode?.access_code_id };

    const forged = JSON.stringify(event);
    const badHeaders = svixHeaders(newWebhookSecret(), forged);
    state().updateAccessCode({ access_code_id: upstreamCode?.access_code_id ?? '', status: 'set' });
    const refused = await postWebhook(event, badHeaders);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ ok: false, error: { type: 'unauthorized' } });
    expect((await postWebhook(event, { 'content-type': 'application/json' })).status).toBe(401);

    const accepted = await postWebhook(event);
    expect(accepted.status).toBe(200);
    // The webhook reconciled the code before answering: no poll needed to see it.
    expect((await getCode(code.access_code_id)).status).toBe('set');
  });

  it("turns a signed upstream lock.unlocked by a code into Latchkey's lock.unlocked with Latchkey's device and code ids, once however often it comes", async () => {
    const code = await seam.accessCodes.create({ device_id: unitDeviceId, code: '7391' });
    const [upstreamCode] = await pollUntil(
      'the code upstream',
      async () => upstreamCodes().filter((c) => c.code === '7391'),
      (c) => c.length > 0,
    );
    state().updateAccessCode({ access_code_id: upstreamCode?.access_code_id ?? '', status: 'set' });
    await pollUntil(
      'the code set',
      async () => getCode(code.access_code_id),
      (c) => c.status === 'set',
    );
    const entry = {
      event_id: 'evt_entry_1',
      event_type: 'lock.unlocked',
      workspace_id: upstream.workspaceId,
      device_id: upstreamUnitId,
      connected_account_id: upstream.connectedAccountId,
      access_code_id: upstreamCode?.access_code_id,
      method: 'keycode',
      occurred_at: '2026-12-05T09:00:00.000Z',
      created_at: '2026-12-05T09:00:01.000Z',
    };
    expect((await postWebhook(entry)).status).toBe(200);
    expect((await postWebhook(entry)).status).toBe(200);
    const events = await seam.events.list({ since: '2026-12-05T08:00:00.000Z', access_code_id: code.access_code_id, event_types: ['lock.unlocked'] as never });
    expect(events).toHaveLength(1);
    expectValid('event', events[0]);
    expect(events[0]).toMatchObject({
      event_type: 'lock.unlocked',
      method: 'keycode',
      device_id: unitDeviceId,
      access_code_id: code.access_code_id,
      access_code_is_managed: true,
      occurred_at: entry.occurred_at,
    });
    expect(await getCode(code.access_code_id)).toMatchObject({ use_count: 1 });
  });

  it('keeps retrying through an upstream outage, never calling the lock offline, and creates the code once when Seam is back', async () => {
    state().simulateWorkspaceOutage(upstream.workspaceId, { routes: ['/access_codes/create', '/access_codes/list', '/access_codes/get'] });
    const before = upstream.requests.length;
    const code = await seam.accessCodes.create({ device_id: unitDeviceId, code: '6381' });
    // Latchkey has met the outage several times once three more calls reached the upstream.
    await pollUntil(
      'calls into the outage',
      async () => upstream.requests.length - before,
      (n) => n >= 3,
    );
    const still = await getCode(code.access_code_id);
    expect(still.status).toBe('setting');
    expect(still.errors).toEqual([]);
    expect(upstreamCodes().filter((c) => c.code === '6381')).toHaveLength(0);

    state().simulateWorkspaceOutageRecovery(upstream.workspaceId);
    await pollUntil(
      'the code upstream after the outage',
      async () => upstreamCodes().filter((c) => c.code === '6381'),
      (c) => c.length > 0,
      { timeoutMs: 30_000 },
    );
    expect(upstreamCodes().filter((c) => c.code === '6381')).toHaveLength(1);
  });

  it('shows an upstream lock going offline on a device.disconnected webhook', async () => {
    state().updateDevice({ device_id: upstreamUnitId, properties: { online: false } });
    expect(
      (await postWebhook({ event_id: 'evt_2', event_type: 'device.disconnected', device_id: upstreamUnitId, workspace_id: upstream.workspaceId, connected_account_id: upstream.connectedAccountId }))
        .status,
    ).toBe(200);
    const device = await seam.devices.get({ device_id: unitDeviceId });
    expect(field(device, 'properties')).toMatchObject({ online: false });
    expect(field(device, 'errors')).toEqual([expect.objectContaining({ error_code: 'device_offline' })]);
    state().updateDevice({ device_id: upstreamUnitId, properties: { online: true } });
    await fetchJson('/connected_accounts/sync', { connected_account_id: accountId });
    expect(field(await seam.devices.get({ device_id: unitDeviceId }), 'properties')).toMatchObject({ online: true });
  });

  it('deletes a code upstream, then answers 404 for it', async () => {
    const code = await seam.accessCodes.create({ device_id: unitDeviceId, code: '7294' });
    await pollUntil(
      'the code upstream',
      async () => upstreamCodes().filter((c) => c.code === '7294'),
      (c) => c.length > 0,
    );
    await seam.accessCodes.delete({ access_code_id: code.access_code_id });
    await pollUntil(
      'the code gone upstream',
      async () => upstreamCodes().filter((c) => c.code === '7294'),
      (c) => c.length === 0,
    );
    const gone = await pollUntil(
      'the code gone',
      () => settle(getCode(code.access_code_id)),
      (r) => 'error' in r,
    );
    expect(gone).toMatchObject({ error: { statusCode: 404, code: 'access_code_not_found' } });
  });

  it('shows a second workspace none of the account, its devices or its codes', async () => {
    const other = await createOtherWorkspace();
    const theirs = new sdk.SeamHttp({ apiKey: other.apiKey, endpoint: server.url });
    expect((await theirs.devices.list()).map((d) => field(d, 'connected_account_id'))).not.toContain(accountId);
    const error = await rejectionOf(theirs.devices.get({ device_id: unitDeviceId }));
    expect(error).toMatchObject({ statusCode: 404, code: 'device_not_found' });
    const response = await fetch(`${server.url}/connected_accounts/get?connected_account_id=${accountId}`, { headers: { authorization: `Bearer ${other.apiKey}` } });
    expect(response.status).toBe(404);
    expect(
      await theirs.accessCodes.list({ device_id: unitDeviceId }).then(
        () => 'listed',
        (e: unknown) => e,
      ),
    ).toMatchObject({ statusCode: 404 });
  });
});

async function fetchJson(path: string, body: Record<string, string>): Promise<unknown> {
  const response = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json: unknown = await response.json();
  if (response.status !== 200) throw new Error(`${path} answered ${response.status}: ${JSON.stringify(json)}`);
  return json;
}
