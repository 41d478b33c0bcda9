import { createAccessCode } from '../../lib/access-codes/create-access-code';
import { deleteAccessCode } from '../../lib/access-codes/delete-access-code';
import { getAccessCode } from '../../lib/access-codes/get-access-code';
import { pollDueCodes } from '../../lib/engine/poll-due-codes';
import { createAccessCodeInputSchema } from '../../lib/access-codes/schemas';
import { updateAccessCode } from '../../lib/access-codes/update-access-code';
import { connectSeamAccount } from '../../lib/providers/seam';
import { receiveSeamWebhook } from '../../lib/providers/seam';
import { deleteConnectedAccount, getConnectedAccount, listConnectedAccounts, syncAccount, updateConnectedAccount } from '../../lib/connected-accounts/connected-accounts';
import type { AppDeps } from '../../lib/deps';
import { stableDeviceId } from '../../lib/devices/derived-ids';
import { upstreamFailure } from '../../lib/providers/seam';
import { workspacePrincipal } from '../../lib/principals/principal';
import { memoryApp, sandboxWorkspace } from '../support/memory-app';
import { memorySeamUpstream } from '../support/memory-seam-upstream';

const upstreamLock = (id: string, online = true) => ({
  device_id: id,
  device_type: 'august_lock',
  display_name: `Lock ${id}`,
  can_program_online_access_codes: true,
  capabilities_supported: ['lock', 'access_code'],
  properties: { name: `Lock ${id}`, online, supported_code_lengths: [6], max_active_codes_supported: 10 },
});

async function setup() {
  const upstream = memorySeamUpstream([upstreamLock('front'), upstreamLock('back'), { ...upstreamLock('thermostat'), can_program_online_access_codes: false }]);
  const app = memoryApp({ seamUpstream: upstream.factory });
  const ws = await sandboxWorkspace(app.deps);
  const connected = await connectSeamAccount(app.deps, { workspaceId: ws.workspaceId, apiKey: 'seam_upstream_key_123456', endpoint: 'https://seam.example' });
  const front = stableDeviceId(connected.connected_account_id, 'front');
  const create = (input: Record<string, unknown>) => createAccessCode(app.deps, ws.principal, createAccessCodeInputSchema.parse(input));
  const get = (id: string) => getAccessCode(app.deps, ws.principal, { access_code_id: id });
  const tick = async (deps: AppDeps = app.deps, seconds = 31) => {
    app.clock.advance(seconds * 1000);
    return pollDueCodes(deps);
  };
  return { ...app, upstream, ws, connected, front, create, get, tick };
}

describe('the Seam provider', () => {
  it('brings in the upstream locks that program online codes, with stable ids, and keeps the credential out of the account', async () => {
    const t = await setup();
    expect(t.connected.devices).toBe(2);
    const device = await t.deps.devices.get(t.ws.workspaceId, t.front);
    expect(device).toMatchObject({ provider: 'seam', provider_device_id: 'front', device: { connected_account_id: t.connected.connected_account_id } });
    expect(JSON.stringify(await getConnectedAccount(t.deps, t.ws.principal, t.connected.connected_account_id))).not.toContain('seam_upstream_key');
    await syncAccount(t.deps, t.ws.principal, t.connected.connected_account_id);
    expect((await t.deps.devices.list(t.ws.workspaceId, { limit: 100 })).filter((d) => d.provider === 'seam')).toHaveLength(2);
  });

  it('creates a code upstream once and sets it when the upstream does', async () => {
    const t = await setup();
    const { access_code } = await t.create({ device_id: t.front, code: '482913', name: 'Guest 42' });
    await t.tick();
    expect(t.upstream.creates).toBe(1);
    expect((await t.get(access_code.access_code_id)).status).toBe('setting');
    t.upstream.settleAll();
    await t.tick();
    await t.tick();
    expect((await t.get(access_code.access_code_id)).status).toBe('set');
    expect(t.upstream.creates).toBe(1);
    expect([...t.upstream.codes.values()]).toEqual([expect.objectContaining({ code: '482913', name: 'Guest 42', device_id: 'front' })]);
  });

  it('gives a recurring code one upstream time-bound code per window, created ahead of it', async () => {
    const t = await setup();
    const recurring_schedule = {
      time_zone: 'UTC',
      weekly: [
        { days: ['mon'], start_time: '14:00', end_time: '15:00' },
        { days: ['mon'], start_time: '18:00', end_time: '19:00' },
      ],
    };
    const { access_code } = await t.create({ device_id: t.front, code: '482913', recurring_schedule });
    const upstreamCodes = () => [...t.upstream.codes.values()].map((c) => ({ starts_at: c.starts_at, ends_at: c.ends_at }));
    await t.tick();
    expect(upstreamCodes()).toEqual([{ starts_at: '2026-11-23T14:00:00.000Z', ends_at: '2026-11-23T15:00:00.000Z' }]);
    t.upstream.settleAll();
    await t.tick();
    expect(await t.get(access_code.access_code_id)).toMatchObject({ status: 'unset', is_scheduled_on_device: true });

    t.clock.set('2026-11-23T15:00:00.000Z');
    await t.tick();
    expect(upstreamCodes()).toEqual([]);
    t.clock.set('2026-11-23T16:30:00.000Z');
    await t.tick();
    expect(upstreamCodes()).toEqual([{ starts_at: '2026-11-23T18:00:00.000Z', ends_at: '2026-11-23T19:00:00.000Z' }]);
    expect(t.upstream.creates).toBe(2);
  });

  it('sends a rename to the upstream, where people see code names, and settles once it shows', async () => {
    const t = await setup();
    const { access_code } = await t.create({ device_id: t.front, code: '371846', name: 'Guest 42' });
    await t.tick();
    t.upstream.settleAll();
    await t.tick();
    await updateAccessCode(t.deps, t.ws.principal, { access_code_id: access_code.access_code_id, name: 'Guest 43' });
    expect(await t.get(access_code.access_code_id)).toMatchObject({ pending_mutations: [expect.objectContaining({ mutation_code: 'updating_name' })] });
    await t.tick();
    await t.tick();
    expect([...t.upstream.codes.values()]).toEqual([expect.objectContaining({ name: 'Guest 43', code: '371846' })]);
    expect(await t.get(access_code.access_code_id)).toMatchObject({ status: 'set', name: 'Guest 43', pending_mutations: [] });
    expect(t.upstream.creates).toBe(1);
  });

  it('takes the step of the code behind a verified access_code webhook at once, even before its upstream id is recorded', async () => {
    const t = await setup();
    const secretName = (await t.deps.connectedAccounts.get(t.ws.workspaceId, t.connected.connected_account_id))?.secret_name ?? '';
    await t.deps.secrets.put(secretName, JSON.stringify({ api_key: 'seam_upstream_key_123456', webhook_secret: 'whsec_c2VjcmV0' }));
    const { access_code } = await t.create({ device_id: t.front, code: '264819' });
    // The upstream has the code, but Latchkey has not recorded its id yet (its worker is still committing).
    await t.upstream.factory({ endpoint: '', apiKey: '' }).createAccessCode({ device_id: 'front', code: '264819' });
    t.upstream.settleAll();
    const verify = async (_secret: string, body: string) => JSON.parse(body) as unknown;
    const event = { event_id: 'evt_1', event_type: 'access_code.set_on_device', device_id: 'front', access_code_id: 'access_code1' };
    await receiveSeamWebhook(t.deps, verify, t.connected.connected_account_id, { rawBody: JSON.stringify(event), headers: {} });
    expect(await t.get(access_code.access_code_id)).toMatchObject({ status: 'set' });
    expect(t.upstream.creates).toBe(1);
  });

  it('never creates a second upstream code when the worker dies between the upstream call and its commit', async () => {
    const t = await setup();
    const { access_code } = await t.create({ device_id: t.front, code: '591827' });
    let crashed = false;
    const dying: AppDeps = {
      ...t.deps,
      accessCodes: {
        ...t.deps.accessCodes,
        update: async (...args) => {
          if (!crashed) {
            crashed = true;
            throw new Error('worker killed after the upstream call');
          }
          return t.deps.accessCodes.update(...args);
        },
      },
    };
    const first = await t.tick(dying);
    expect(first.failed).toBe(1);
    expect(t.upstream.creates).toBe(1);
    // The retry finds the code upstream by its PIN instead of creating it again.
    await t.tick();
    t.upstream.settleAll();
    await t.tick();
    await t.tick();
    expect(t.upstream.creates).toBe(1);
    expect(t.upstream.codes.size).toBe(1);
    expect(await t.deps.accessCodes.get(t.ws.workspaceId, access_code.access_code_id)).toMatchObject({ provider_ref: 'access_code1', access_code: { status: 'set' } });
  });

  it('retries through an upstream outage without failing the code or calling the lock offline', async () => {
    const t = await setup();
    t.upstream.setDown(true);
    const { access_code } = await t.create({ device_id: t.front, code: '736152' });
    for (let i = 0; i < 60; i++) await t.tick(t.deps, 60);
    const during = await t.get(access_code.access_code_id);
    expect(during).toMatchObject({ status: 'setting', errors: [] });
    t.upstream.setDown(false);
    for (let i = 0; i < 8; i++) await t.tick(t.deps, 60);
    expect(t.upstream.creates).toBe(1);
  });

  it('shows an unreachable upstream on the account when a sync fails, and clears it on the next good one', async () => {
    const t = await setup();
    t.upstream.setDown(true);
    await syncAccount(t.deps, t.ws.principal, t.connected.connected_account_id);
    expect(await getConnectedAccount(t.deps, t.ws.principal, t.connected.connected_account_id)).toMatchObject({
      warnings: [expect.objectContaining({ warning_code: 'provider_service_unavailable' })],
    });
    expect(await t.deps.devices.get(t.ws.workspaceId, t.front)).toBeDefined();
    t.upstream.setDown(false);
    await syncAccount(t.deps, t.ws.principal, t.connected.connected_account_id);
    expect(await getConnectedAccount(t.deps, t.ws.principal, t.connected.connected_account_id)).toMatchObject({ warnings: [], errors: [] });
  });

  it('removes a deleted code upstream', async () => {
    const t = await setup();
    const { access_code } = await t.create({ device_id: t.front, code: '847261' });
    await t.tick();
    t.upstream.settleAll();
    await t.tick();
    await deleteAccessCode(t.deps, t.ws.principal, { access_code_id: access_code.access_code_id });
    await t.tick();
    await t.tick();
    expect(t.upstream.codes.size).toBe(0);
  });

  it('deletes an account with its secret, devices and codes', async () => {
    const t = await setup();
    const { access_code } = await t.create({ device_id: t.front, code: '918273' });
    const account = await t.deps.connectedAccounts.get(t.ws.workspaceId, t.connected.connected_account_id);
    await deleteConnectedAccount(t.deps, t.ws.principal, t.connected.connected_account_id);
    expect(await t.deps.devices.get(t.ws.workspaceId, t.front)).toBeUndefined();
    expect(await t.deps.accessCodes.get(t.ws.workspaceId, access_code.access_code_id)).toBeUndefined();
    expect(await t.deps.secrets.get(account?.secret_name ?? '')).toBeUndefined();
    await expect(getConnectedAccount(t.deps, workspacePrincipal(t.ws.workspaceId), t.connected.connected_account_id)).rejects.toMatchObject({ statusCode: 404 });
  });

  it('lets a client session read the account of a device it was granted, and change only accounts it was granted', async () => {
    const t = await setup();
    const id = t.connected.connected_account_id;
    const session = { kind: 'client_session' as const, workspace_id: t.ws.workspaceId, client_session_id: 'cs', device_ids: [t.front], connected_account_ids: [] };
    expect(await getConnectedAccount(t.deps, session, id)).toMatchObject({ connected_account_id: id });
    expect((await listConnectedAccounts(t.deps, session, {})).map((a) => a.connected_account_id)).toEqual([id]);
    await expect(updateConnectedAccount(t.deps, session, { connected_account_id: id, custom_metadata: { x: 'y' } })).rejects.toMatchObject({ statusCode: 404 });
    await expect(deleteConnectedAccount(t.deps, session, id)).rejects.toMatchObject({ statusCode: 404 });
    const stranger = { ...session, device_ids: [] };
    await expect(getConnectedAccount(t.deps, stranger, id)).rejects.toMatchObject({ statusCode: 404, type: 'connected_account_not_found' });
    expect(await listConnectedAccounts(t.deps, stranger, {})).toEqual([]);
  });

  it('refuses to connect a key the upstream refuses, and keeps nothing of it', async () => {
    const app = memoryApp({
      seamUpstream: () => {
        throw upstreamFailure({ statusCode: 401, code: 'unauthorized' });
      },
    });
    const ws = await sandboxWorkspace(app.deps);
    await expect(connectSeamAccount(app.deps, { workspaceId: ws.workspaceId, apiKey: 'seam_wrong_key_1234567', endpoint: 'https://seam.example' })).rejects.toThrow(
      /refused the connected account's API key/,
    );
    expect((await app.deps.connectedAccounts.list(ws.workspaceId)).map((a) => a.provider)).toEqual(['sandbox']);
  });
});

describe('upstream failures', () => {
  it.each([
    [{ statusCode: 503 }, 'provider_unavailable'],
    [{ statusCode: 429 }, 'provider_unavailable'],
    [{ isAxiosError: true }, 'provider_unavailable'],
    [{ isAxiosError: true, response: { status: 502 } }, 'provider_unavailable'],
    [{ statusCode: 401, code: 'unauthorized' }, 'provider_unavailable'],
    [{ statusCode: 404, code: 'device_not_found' }, 'transient'],
  ])('tells %j apart as %s', (error, kind) => {
    expect(upstreamFailure(error).kind).toBe(kind);
  });

  it('keeps a 429 Retry-After', () => {
    expect(upstreamFailure({ isAxiosError: true, response: { status: 429, headers: { 'retry-after': '7' } } }).retryAfterMs).toBe(7000);
  });
});
