import { createAccessCode } from '../../lib/access-codes/create-access-code';
import { deleteAccessCode } from '../../lib/access-codes/delete-access-code';
import { pollDueCodes } from '../../lib/engine/poll-due-codes';
import { generateCode } from '../../lib/access-codes/generate-code';
import { getAccessCode } from '../../lib/access-codes/get-access-code';
import { listAccessCodes } from '../../lib/access-codes/list-access-codes';
import { createAccessCodeInputSchema } from '../../lib/access-codes/schemas';
import { updateAccessCode } from '../../lib/access-codes/update-access-code';
import { getActionAttempt } from '../../lib/action-attempts/get-action-attempt';
import { getDevice, listDevices, simulateConnection } from '../../lib/devices/device-queries';
import { AppError } from '../../lib/errors';
import { getEvent, listEvents } from '../../lib/events/event-queries';
import type { ClientSessionPrincipal } from '../../lib/principals/principal';
import { memoryApp, sandboxWorkspace } from '../support/memory-app';

const rejection = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  return { type: error.type, status: error.statusCode };
};

async function setup() {
  const app = memoryApp();
  const ws = await sandboxWorkspace(app.deps);
  const granted = ws.byType('kwikset_lock');
  const hidden = ws.byType('schlage_lock');
  const session: ClientSessionPrincipal = {
    kind: 'client_session',
    workspace_id: ws.workspaceId,
    client_session_id: '00000000-0000-4000-8000-000000000001',
    device_ids: [granted.device_id],
    connected_account_ids: [],
  };
  const create = (deviceId: string) => createAccessCode(app.deps, ws.principal, createAccessCodeInputSchema.parse({ device_id: deviceId }));
  return { ...app, ws, granted, hidden, session, create };
}

describe('a client session principal', () => {
  it('touches its granted device like the workspace does', async () => {
    const { deps, granted, session } = await setup();
    expect((await getDevice(deps, session, granted.device_id)).device_id).toBe(granted.device_id);
    expect((await listDevices(deps, session, {})).map((d) => d.device_id)).toEqual([granted.device_id]);
    const { access_code, action_attempt } = await createAccessCode(deps, session, createAccessCodeInputSchema.parse({ device_id: granted.device_id }));
    expect(await getAccessCode(deps, session, { access_code_id: access_code.access_code_id })).toEqual(access_code);
    expect(await getActionAttempt(deps, session, action_attempt.action_attempt_id)).toEqual(action_attempt);
    await expect(generateCode(deps, session, { device_id: granted.device_id })).resolves.toMatchObject({ device_id: granted.device_id });
  });

  it('gets device_not_found for an ungranted device on every device route', async () => {
    const { deps, hidden, session } = await setup();
    const notFound = { type: 'device_not_found', status: 404 };
    expect(await rejection(getDevice(deps, session, hidden.device_id))).toEqual(notFound);
    expect(await rejection(createAccessCode(deps, session, createAccessCodeInputSchema.parse({ device_id: hidden.device_id })))).toEqual(notFound);
    expect(await rejection(generateCode(deps, session, { device_id: hidden.device_id }))).toEqual(notFound);
    expect(await rejection(simulateConnection(deps, session, hidden.device_id, false))).toEqual(notFound);
    expect(await rejection(listAccessCodes(deps, session, { device_id: hidden.device_id, limit: 10 }))).toEqual(notFound);
    expect(await listDevices(deps, session, { device_ids: [hidden.device_id] })).toEqual([]);
  });

  it('does not see codes, attempts or events of ungranted devices', async () => {
    const { deps, ws, clock, hidden, granted, session, create } = await setup();
    const mine = await create(granted.device_id);
    const theirs = await create(hidden.device_id);
    const id = theirs.access_code.access_code_id;
    const codeNotFound = { type: 'access_code_not_found', status: 404 };
    expect(await rejection(getAccessCode(deps, session, { access_code_id: id }))).toEqual(codeNotFound);
    expect(await rejection(updateAccessCode(deps, session, { access_code_id: id, name: 'x' }))).toEqual(codeNotFound);
    expect(await rejection(deleteAccessCode(deps, session, { access_code_id: id }))).toEqual(codeNotFound);
    expect(await rejection(getActionAttempt(deps, session, theirs.action_attempt.action_attempt_id))).toMatchObject({ status: 404 });
    const listed = (input: object) => listAccessCodes(deps, session, { limit: 10, ...input }).then((r) => r.access_codes.map((c) => c.access_code_id));
    expect(await listed({})).toEqual([mine.access_code.access_code_id]);
    expect(await listed({ access_code_ids: [id, mine.access_code.access_code_id] })).toEqual([mine.access_code.access_code_id]);

    const since = new Date(clock.now().getTime() - 60_000).toISOString();
    const all = await listEvents(deps, ws.principal, { since, limit: 100 });
    expect(all.map((e) => e.device_id).sort()).toEqual([granted.device_id, hidden.device_id].sort());
    const seen = await listEvents(deps, session, { since, limit: 100 });
    expect(seen.map((e) => e.device_id)).toEqual([granted.device_id]);
    expect(await listEvents(deps, session, { since, limit: 100, device_id: hidden.device_id })).toEqual([]);
    const hiddenEvent = all.find((e) => e.device_id === hidden.device_id);
    expect(await rejection(getEvent(deps, session, hiddenEvent?.event_id ?? ''))).toEqual({ type: 'event_not_found', status: 404 });
  });

  it('follows its own attempts to the end, a delete included', async () => {
    const { deps, clock, granted, session } = await setup();
    const { access_code, action_attempt } = await createAccessCode(deps, session, createAccessCodeInputSchema.parse({ device_id: granted.device_id }));
    const settle = async () => {
      for (let s = 0; s < 10; s++) {
        clock.advance(1000);
        await pollDueCodes(deps);
      }
    };
    await settle();
    expect(await getActionAttempt(deps, session, action_attempt.action_attempt_id)).toMatchObject({ status: 'success' });
    const deletion = await deleteAccessCode(deps, session, { access_code_id: access_code.access_code_id });
    await settle();
    expect(await getActionAttempt(deps, session, deletion.action_attempt_id)).toMatchObject({ status: 'success', result: {} });
  });

  it('sees every device of a granted connected account', async () => {
    const { deps, ws, granted, session } = await setup();
    const byAccount = { ...session, device_ids: [], connected_account_ids: [granted.connected_account_id] };
    const expected = ws.devices.filter((d) => d.device.connected_account_id === granted.connected_account_id).map((d) => d.device.device_id);
    expect((await listDevices(deps, byAccount, {})).map((d) => d.device_id).sort()).toEqual(expected.sort());
    await expect(getDevice(deps, byAccount, granted.device_id)).resolves.toBeDefined();
  });

  it('sees nothing with no grants', async () => {
    const { deps, granted, session } = await setup();
    const empty = { ...session, device_ids: [] };
    expect(await listDevices(deps, empty, {})).toEqual([]);
    expect(await rejection(getDevice(deps, empty, granted.device_id))).toEqual({ type: 'device_not_found', status: 404 });
  });
});
