import { createAccessCode } from '../../lib/access-codes/create-access-code';
import { deleteAccessCode } from '../../lib/access-codes/delete-access-code';
import { generateCode } from '../../lib/access-codes/generate-code';
import { getAccessCode } from '../../lib/access-codes/get-access-code';
import { listAccessCodes } from '../../lib/access-codes/list-access-codes';
import { accessCodeSchema, createAccessCodeInputSchema, updateAccessCodeInputSchema } from '../../lib/access-codes/schemas';
import { updateAccessCode } from '../../lib/access-codes/update-access-code';
import { pinViolation } from '../../lib/devices/code-constraints';
import { AppError } from '../../lib/errors';
import { memoryApp, sandboxWorkspace } from '../support/memory-app';

const create = (input: Record<string, unknown>) => createAccessCodeInputSchema.parse(input);
const update = (input: Record<string, unknown>) => updateAccessCodeInputSchema.parse(input);

async function setup() {
  const app = memoryApp();
  const ws = await sandboxWorkspace(app.deps);
  const other = await sandboxWorkspace(app.deps, 'Other');
  return { ...app, ws, other };
}

const rejection = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  return { type: error.type, status: error.statusCode, message: error.message, ...error.extra };
};

describe('createAccessCode', () => {
  it('creates an ongoing code in setting with a pending action attempt and a created event', async () => {
    const { deps, ws, published } = await setup();
    const lock = ws.byType('kwikset_lock');
    const { access_code, action_attempt } = await createAccessCode(deps, ws.principal, create({ device_id: lock.device_id, name: 'Guest', code: '4829' }));
    expect(accessCodeSchema.parse(access_code)).toEqual(access_code);
    expect(access_code).toMatchObject({ type: 'ongoing', status: 'setting', code: '4829', name: 'Guest', is_managed: true, workspace_id: ws.workspaceId });
    expect(access_code.pending_mutations.map((m) => m.mutation_code)).toEqual(['creating']);
    expect(action_attempt).toMatchObject({ action_type: 'CREATE_ACCESS_CODE', status: 'pending', result: null, error: null });
    expect(published.map((e) => e.event_type)).toEqual(['access_code.created']);
    expect(await deps.actionAttempts.get(ws.workspaceId, action_attempt.action_attempt_id)).toBeDefined();
  });

  it('creates a time-bound code unset, deferred until closer to its start', async () => {
    const { deps, ws, clock } = await setup();
    const now = clock.now().getTime();
    const starts_at = new Date(now + 5 * 86_400_000).toISOString();
    const ends_at = new Date(now + 6 * 86_400_000).toISOString();
    const { access_code } = await createAccessCode(deps, ws.principal, create({ device_id: ws.byType('schlage_lock').device_id, starts_at, ends_at }));
    expect(access_code).toMatchObject({ type: 'time_bound', status: 'unset', starts_at, ends_at });
    expect(access_code.pending_mutations[0]).toMatchObject({ mutation_code: 'deferring_creation', scheduled_at: new Date(now + 2 * 86_400_000).toISOString() });
  });

  it('generates a PIN that fits the device when none is given', async () => {
    const { deps, ws } = await setup();
    const nuki = ws.byType('nuki_lock');
    for (let i = 0; i < 20; i++) {
      const { access_code } = await createAccessCode(deps, ws.principal, create({ device_id: nuki.device_id }));
      expect(pinViolation(nuki, access_code.code ?? '')).toBeUndefined();
    }
  });

  it('rejects a PIN that breaks the device rules, naming code, and stores nothing', async () => {
    const { deps, ws } = await setup();
    const nuki = ws.byType('nuki_lock');
    expect(await rejection(createAccessCode(deps, ws.principal, create({ device_id: nuki.device_id, code: '120000' })))).toMatchObject({
      type: 'invalid_input',
      status: 400,
      validation_errors: { code: { _errors: ['Must not contain the digit 0 on this device'] } },
    });
    expect((await deps.accessCodes.list(ws.workspaceId, { limit: 10 })).items).toEqual([]);
  });

  it('rejects ends_at in the past', async () => {
    const { deps, ws, clock } = await setup();
    const past = new Date(clock.now().getTime() - 1000).toISOString();
    const earlier = new Date(clock.now().getTime() - 5000).toISOString();
    expect(await rejection(createAccessCode(deps, ws.principal, create({ device_id: ws.byType('kwikset_lock').device_id, starts_at: earlier, ends_at: past })))).toMatchObject({
      type: 'invalid_input',
      validation_errors: { ends_at: { _errors: ['Must be in the future'] } },
    });
  });

  it('answers 409 duplicate_access_code for a PIN held on the same device, but allows it on another', async () => {
    const { deps, ws } = await setup();
    const [a, b] = [ws.byType('kwikset_lock'), ws.byType('smartthings_lock')];
    await createAccessCode(deps, ws.principal, create({ device_id: a.device_id, code: '4829' }));
    expect(await rejection(createAccessCode(deps, ws.principal, create({ device_id: a.device_id, code: '4829' })))).toMatchObject({ type: 'duplicate_access_code', status: 409 });
    await expect(createAccessCode(deps, ws.principal, create({ device_id: b.device_id, code: '4829' }))).resolves.toBeDefined();
  });

  it('lets only one of two concurrent creates of one PIN succeed', async () => {
    const { deps, ws } = await setup();
    const input = create({ device_id: ws.byType('kwikset_lock').device_id, code: '5830' });
    const results = await Promise.allSettled([createAccessCode(deps, ws.principal, input), createAccessCode(deps, ws.principal, input)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  it('gives codes sharing a common_code_key one PIN', async () => {
    const { deps, ws } = await setup();
    const first = await createAccessCode(deps, ws.principal, create({ device_id: ws.byType('kwikset_lock').device_id, common_code_key: 'stay-42' }));
    const second = await createAccessCode(deps, ws.principal, create({ device_id: ws.byType('smartthings_lock').device_id, common_code_key: 'stay-42' }));
    expect(second.access_code.code).toBe(first.access_code.code);
    expect(await rejection(createAccessCode(deps, ws.principal, create({ device_id: ws.byType('igloohome_lock').device_id, common_code_key: 'stay-42', code: '9173' })))).toMatchObject({
      validation_errors: { common_code_key: expect.anything() },
    });
  });

  it('does not see devices of another workspace', async () => {
    const { deps, ws, other } = await setup();
    expect(await rejection(createAccessCode(deps, ws.principal, create({ device_id: other.byType('kwikset_lock').device_id })))).toMatchObject({ type: 'device_not_found', status: 404 });
  });

  it('validates offline and backup-pool options against the device (one-time use is a use limit on an online code)', async () => {
    const { deps, ws } = await setup();
    const device_id = ws.byType('kwikset_lock').device_id;
    for (const [field, input] of [
      ['is_offline_access_code', { is_offline_access_code: true }],
      ['use_backup_access_code_pool', { use_backup_access_code_pool: true }],
    ] as const) {
      expect(await rejection(createAccessCode(deps, ws.principal, create({ device_id, ...input })))).toMatchObject({ validation_errors: { [field]: expect.anything() } });
    }
  });
});

describe('the input schema', () => {
  it('requires starts_at and ends_at together, and ends_at after starts_at', () => {
    const device_id = '00000000-0000-4000-8000-000000000001';
    expect(createAccessCodeInputSchema.safeParse({ device_id, starts_at: '2030-01-01T00:00:00Z' }).success).toBe(false);
    const reversed = createAccessCodeInputSchema.safeParse({ device_id, starts_at: '2030-01-02T00:00:00Z', ends_at: '2030-01-01T00:00:00Z' });
    expect(reversed.error?.issues[0]?.path).toEqual(['ends_at']);
    expect(createAccessCodeInputSchema.safeParse({ device_id, code: '12a4' }).success).toBe(false);
    expect(createAccessCodeInputSchema.parse({ device_id, starts_at: '2030-01-01T10:00:00+0200', ends_at: '2030-01-02T00:00:00Z' }).starts_at).toBe('2030-01-01T08:00:00.000Z');
  });
});

describe('getAccessCode and listAccessCodes', () => {
  it('gets by id or by device and PIN, only within the workspace', async () => {
    const { deps, ws, other } = await setup();
    const lock = ws.byType('kwikset_lock');
    const { access_code } = await createAccessCode(deps, ws.principal, create({ device_id: lock.device_id, code: '4829' }));
    expect(await getAccessCode(deps, ws.principal, { access_code_id: access_code.access_code_id })).toEqual(access_code);
    expect(await getAccessCode(deps, ws.principal, { device_id: lock.device_id, code: '4829' })).toEqual(access_code);
    expect(await rejection(getAccessCode(deps, other.principal, { access_code_id: access_code.access_code_id }))).toMatchObject({ type: 'access_code_not_found', status: 404 });
  });

  it('lists by device with cursors, by ids, and by search', async () => {
    const { deps, ws, clock } = await setup();
    const lock = ws.byType('kwikset_lock');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      clock.advance(1000);
      ids.push((await createAccessCode(deps, ws.principal, create({ device_id: lock.device_id, name: `Guest ${i}` }))).access_code.access_code_id);
    }
    await createAccessCode(deps, ws.principal, create({ device_id: ws.byType('schlage_lock').device_id, name: 'Elsewhere' }));
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listAccessCodes(deps, ws.principal, { device_id: lock.device_id, limit: 2, page_cursor: cursor });
      seen.push(...page.access_codes.map((c) => c.access_code_id));
      cursor = page.next_page_cursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(ids);
    expect((await listAccessCodes(deps, ws.principal, { access_code_ids: [ids[1] ?? ''], limit: 10 })).access_codes.map((c) => c.access_code_id)).toEqual([ids[1]]);
    expect((await listAccessCodes(deps, ws.principal, { search: 'guest 3', limit: 10 })).access_codes.map((c) => c.name)).toEqual(['Guest 3']);
  });

  it('generates codes not in use on the device', async () => {
    const { deps, ws } = await setup();
    const lock = ws.byType('schlage_lock');
    const { code } = await generateCode(deps, ws.principal, { device_id: lock.device_id });
    expect(pinViolation(lock, code)).toBeUndefined();
  });
});

describe('updateAccessCode', () => {
  it('settles a name change at once and emits changed and name_changed', async () => {
    const { deps, ws, published } = await setup();
    const { access_code } = await createAccessCode(deps, ws.principal, create({ device_id: ws.byType('kwikset_lock').device_id, name: 'Old name' }));
    const attempt = await updateAccessCode(deps, ws.principal, update({ access_code_id: access_code.access_code_id, name: 'New name' }));
    expect(attempt).toMatchObject({ action_type: 'UPDATE_ACCESS_CODE', status: 'success' });
    expect((await getAccessCode(deps, ws.principal, { access_code_id: access_code.access_code_id })).name).toBe('New name');
    expect(published.slice(-2)).toEqual([
      expect.objectContaining({ event_type: 'access_code.changed', changed_properties: [{ property: 'name', from: 'Old name', to: 'New name' }] }),
      expect.objectContaining({ event_type: 'access_code.name_changed', from: { name: 'Old name' }, to: { name: 'New name' } }),
    ]);
  });

  it('moves the PIN claim when the PIN changes and keeps PINs out of the event', async () => {
    const { deps, ws, published } = await setup();
    const device_id = ws.byType('kwikset_lock').device_id;
    const { access_code } = await createAccessCode(deps, ws.principal, create({ device_id, code: '4829' }));
    const attempt = await updateAccessCode(deps, ws.principal, update({ access_code_id: access_code.access_code_id, code: '7391' }));
    expect(attempt.status).toBe('pending');
    const updated = await getAccessCode(deps, ws.principal, { access_code_id: access_code.access_code_id });
    expect(updated).toMatchObject({ code: '7391', status: 'setting' });
    expect(updated.pending_mutations.map((m) => m.mutation_code)).toContain('updating_code');
    expect(published.slice(-2).map((e) => e.event_type)).toEqual(['access_code.changed', 'access_code.code_changed']);
    // Ids are random UUIDs, which may hold the PIN's digits by chance; only the other fields must not.
    expect(JSON.stringify(published.slice(-2), (key, value) => (key.endsWith('_id') ? undefined : value))).not.toContain('7391');
    await expect(createAccessCode(deps, ws.principal, create({ device_id, code: '4829' }))).resolves.toBeDefined();
    expect(await rejection(createAccessCode(deps, ws.principal, create({ device_id, code: '7391' })))).toMatchObject({ type: 'duplicate_access_code' });
  });

  it('converts a time-bound code to ongoing and back', async () => {
    const { deps, ws, clock } = await setup();
    const t = clock.now().getTime();
    const { access_code } = await createAccessCode(
      deps,
      ws.principal,
      create({
        device_id: ws.byType('kwikset_lock').device_id,
        starts_at: new Date(t + 86_400_000).toISOString(),
        ends_at: new Date(t + 2 * 86_400_000).toISOString(),
      }),
    );
    await updateAccessCode(deps, ws.principal, update({ access_code_id: access_code.access_code_id, type: 'ongoing' }));
    const ongoing = await getAccessCode(deps, ws.principal, { access_code_id: access_code.access_code_id });
    expect(ongoing).toMatchObject({ type: 'ongoing', status: 'setting' });
    expect(ongoing.starts_at).toBeUndefined();
    expect(await rejection(updateAccessCode(deps, ws.principal, update({ access_code_id: access_code.access_code_id, ends_at: new Date(t + 86_400_000).toISOString() })))).toMatchObject({
      type: 'invalid_input',
    });
  });

  it('re-reads and applies again when the engine wrote the code in between', async () => {
    const { deps, ws } = await setup();
    const { access_code } = await createAccessCode(deps, ws.principal, create({ device_id: ws.byType('kwikset_lock').device_id }));
    let raced = false;
    const racing = {
      ...deps,
      accessCodes: {
        ...deps.accessCodes,
        update: async (...args: Parameters<typeof deps.accessCodes.update>) => {
          if (!raced) {
            raced = true;
            const [, previous] = args;
            await deps.accessCodes.update({ ...previous, version: previous.version + 1 }, previous);
          }
          return deps.accessCodes.update(...args);
        },
      },
    };
    await expect(updateAccessCode(racing, ws.principal, update({ access_code_id: access_code.access_code_id, name: 'Renamed' }))).resolves.toMatchObject({ status: 'success' });
    expect((await getAccessCode(deps, ws.principal, { access_code_id: access_code.access_code_id })).name).toBe('Renamed');
  });

  it('rejects a PIN the device does not accept, changing nothing', async () => {
    const { deps, ws } = await setup();
    const { access_code } = await createAccessCode(deps, ws.principal, create({ device_id: ws.byType('schlage_lock').device_id, code: '4829' }));
    expect(await rejection(updateAccessCode(deps, ws.principal, update({ access_code_id: access_code.access_code_id, code: '48291' })))).toMatchObject({
      validation_errors: { code: expect.anything() },
    });
    expect((await getAccessCode(deps, ws.principal, { access_code_id: access_code.access_code_id })).code).toBe('4829');
  });
});

describe('deleteAccessCode', () => {
  it('removes a code that never reached the lock at once', async () => {
    const { deps, ws, clock } = await setup();
    const t = clock.now().getTime();
    const { access_code } = await createAccessCode(
      deps,
      ws.principal,
      create({
        device_id: ws.byType('schlage_lock').device_id,
        code: '4829',
        starts_at: new Date(t + 7 * 86_400_000).toISOString(),
        ends_at: new Date(t + 8 * 86_400_000).toISOString(),
      }),
    );
    const attempt = await deleteAccessCode(deps, ws.principal, { access_code_id: access_code.access_code_id });
    expect(attempt).toMatchObject({ action_type: 'DELETE_ACCESS_CODE', status: 'success' });
    expect(attempt.status === 'success' && attempt.result).toEqual({});
    expect(await rejection(getAccessCode(deps, ws.principal, { access_code_id: access_code.access_code_id }))).toMatchObject({ status: 404 });
    await expect(createAccessCode(deps, ws.principal, create({ device_id: ws.byType('schlage_lock').device_id, code: '4829' }))).resolves.toBeDefined();
  });

  it('marks a code that may be on the lock removing', async () => {
    const { deps, ws } = await setup();
    const { access_code } = await createAccessCode(deps, ws.principal, create({ device_id: ws.byType('kwikset_lock').device_id }));
    const attempt = await deleteAccessCode(deps, ws.principal, { access_code_id: access_code.access_code_id });
    expect(attempt.status).toBe('pending');
    const removing = await getAccessCode(deps, ws.principal, { access_code_id: access_code.access_code_id });
    expect(removing).toMatchObject({ status: 'removing', pending_mutations: [expect.objectContaining({ mutation_code: 'deleting' })] });
  });

  it("does not delete another workspace's code", async () => {
    const { deps, ws, other } = await setup();
    const { access_code } = await createAccessCode(deps, ws.principal, create({ device_id: ws.byType('kwikset_lock').device_id }));
    expect(await rejection(deleteAccessCode(deps, other.principal, { access_code_id: access_code.access_code_id }))).toMatchObject({ type: 'access_code_not_found' });
  });
});
