import { backupPoolSize } from '../../lib/access-codes/backup-pool';
import { pullBackupAccessCode } from '../../lib/access-codes/pull-backup-access-code';
import { createAccessCode } from '../../lib/access-codes/create-access-code';
import { getAccessCode } from '../../lib/access-codes/get-access-code';
import { listAccessCodes } from '../../lib/access-codes/list-access-codes';
import { createAccessCodeInputSchema, listAccessCodesInputSchema } from '../../lib/access-codes/schemas';
import { underIdempotencyKey } from '../../lib/http/idempotency-key';
import { idempotencyLeaseMs } from '../../lib/idempotency/schemas';
import { codesApp, failureType as failure } from '../support/codes-app';

const DAY = 86_400_000;

async function setup() {
  const app = await codesApp({ latencyMs: 1000 });
  const { ws } = app;
  const front = ws.byType('schlage_lock');
  const create = (input: Record<string, unknown> = {}) =>
    createAccessCode(
      app.deps,
      ws.principal,
      createAccessCodeInputSchema.parse({
        device_id: front.device_id,
        use_backup_access_code_pool: true,
        starts_at: new Date(app.clock.now().getTime() + DAY).toISOString(),
        ends_at: new Date(app.clock.now().getTime() + 3 * DAY).toISOString(),
        ...input,
      }),
    );
  const pool = async () => (await app.deps.accessCodes.list(ws.workspaceId, { deviceId: front.device_id, limit: 100 })).items.filter((r) => r.backup?.state === 'available');
  const pull = (access_code_id: string) => pullBackupAccessCode(app.deps, ws.principal, { access_code_id });
  return { ...app, front, create, pool, pull };
}

describe('the backup access code pool', () => {
  it('is filled on a lock that supports it, programmed, named as Seam names them, and hidden from lists', async () => {
    const t = await setup();
    expect(t.front.properties).toMatchObject({ supports_backup_access_code_pool: true, backup_access_code_pool_enabled: true });
    const { access_code } = await t.create();
    // Nothing is on the lock yet, so no pull would succeed (see "shows a backup as available only once...").
    expect(access_code).toMatchObject({ is_backup_access_code_available: false });
    const pool = await t.pool();
    expect(pool).toHaveLength(backupPoolSize);
    for (const r of pool) expect(r.access_code).toMatchObject({ is_backup: true, type: 'ongoing', name: `Backup ${r.access_code.access_code_id.slice(0, 8)} (Seam)` });
    // One command at a time per sandbox lock: the code and the pool go on one a second.
    await t.tick(5);
    expect((await t.pool()).map((r) => r.access_code.status)).toEqual(['set', 'set', 'set']);
    const listed = await listAccessCodes(t.deps, t.ws.principal, listAccessCodesInputSchema.parse({ device_id: t.front.device_id }));
    expect(listed.access_codes.map((c) => c.access_code_id)).toEqual([access_code.access_code_id]);
  });

  it('gives out a backup that ends with the original, the same one when pulled again, and refills', async () => {
    const t = await setup();
    const { access_code } = await t.create();
    await t.tick(3);
    const pulled = await t.pull(access_code.access_code_id);
    expect(pulled.backup_access_code).toEqual(pulled.access_code);
    expect(pulled.access_code).toMatchObject({ is_backup: true, type: 'time_bound', ends_at: access_code.ends_at, status: 'set' });
    expect(await getAccessCode(t.deps, t.ws.principal, { access_code_id: access_code.access_code_id })).toMatchObject({
      pulled_backup_access_code_id: pulled.access_code.access_code_id,
      is_backup_access_code_available: false,
      warnings: [expect.objectContaining({ warning_code: 'using_backup_access_code' })],
    });
    expect(t.published.find((e) => e.event_type === 'access_code.backup_access_code_pulled')).toMatchObject({
      access_code_id: access_code.access_code_id,
      backup_access_code_id: pulled.access_code.access_code_id,
    });
    expect((await t.pull(access_code.access_code_id)).access_code.access_code_id).toBe(pulled.access_code.access_code_id);
    expect(await t.pool()).toHaveLength(backupPoolSize);
    // One command a second at the lock: the pulled backup's change and the refill's new backup fell due
    // together, so either may go first (their ids break the tie); the second is set a second later.
    await t.tick(4);
    expect(await getAccessCode(t.deps, t.ws.principal, { access_code_id: pulled.access_code.access_code_id })).toMatchObject({ status: 'set', ends_at: access_code.ends_at });
  });

  it('answers empty_backup_access_code_pool when no backup is on the lock yet, and shows it on the code', async () => {
    const t = await setup();
    const { access_code } = await t.create();
    expect(await failure(t.pull(access_code.access_code_id))).toBe('empty_backup_access_code_pool');
    expect((await getAccessCode(t.deps, t.ws.principal, { access_code_id: access_code.access_code_id })).errors).toEqual([
      expect.objectContaining({ error_code: 'empty_backup_access_code_pool', is_device_error: true }),
    ]);
    await t.tick(3);
    await t.pull(access_code.access_code_id);
    expect((await getAccessCode(t.deps, t.ws.principal, { access_code_id: access_code.access_code_id })).errors).toEqual([]);
  });

  it('is for time-bound codes created with use_backup_access_code_pool, on locks that have one', async () => {
    const t = await setup();
    const plain = await t.create({ use_backup_access_code_pool: false });
    expect(await failure(t.pull(plain.access_code.access_code_id))).toBe('invalid_input');
    expect(await failure(t.create({ starts_at: undefined, ends_at: undefined }))).toBe('invalid_input');
    expect(await failure(t.create({ device_id: t.ws.byType('kwikset_lock').device_id }))).toBe('invalid_input');
  });
  it('shows a backup as available only once a pull would give one out', async () => {
    const t = await setup();
    const { access_code } = await t.create();
    const shown = async () => (await getAccessCode(t.deps, t.ws.principal, { access_code_id: access_code.access_code_id })).is_backup_access_code_available;
    expect(access_code.is_backup_access_code_available).toBe(false);
    expect(await shown()).toBe(false);
    await t.tick(3);
    expect(await shown()).toBe(true);
    const listed = await listAccessCodes(t.deps, t.ws.principal, listAccessCodesInputSchema.parse({ device_id: t.front.device_id }));
    expect(listed.access_codes).toEqual([expect.objectContaining({ access_code_id: access_code.access_code_id, is_backup_access_code_available: true })]);
    await t.pull(access_code.access_code_id);
    expect(await shown()).toBe(false);
  });

  it('gives out a backup without a conflict when the engine writes the backup meanwhile', async () => {
    const t = await setup();
    const { access_code } = await t.create();
    await t.tick(3);
    let raced = 0;
    const accessCodes: typeof t.deps.accessCodes = {
      ...t.deps.accessCodes,
      update: async (next, previous, extras) => {
        // The engine takes the backup's step between the pull's read and its write.
        if (raced === 0 && next.backup?.state === 'pulled') {
          raced++;
          await t.deps.engine.lookNow(t.ws.workspaceId, previous.access_code.access_code_id);
        }
        return t.deps.accessCodes.update(next, previous, extras);
      },
    };
    const pulled = await pullBackupAccessCode({ ...t.deps, accessCodes }, t.ws.principal, { access_code_id: access_code.access_code_id });
    expect(raced).toBe(1);
    expect(pulled.access_code).toMatchObject({ is_backup: true, type: 'time_bound', ends_at: access_code.ends_at });
    expect(await getAccessCode(t.deps, t.ws.principal, { access_code_id: access_code.access_code_id })).toMatchObject({ pulled_backup_access_code_id: pulled.access_code.access_code_id });
  });
  it('under an Idempotency-Key, commits a pull with its link to the original: a fault after taking the backup lets the retry finish, a crash after replays it', async () => {
    const t = await setup();
    const { access_code } = await t.create();
    await t.tick(3);
    const input = { access_code_id: access_code.access_code_id };
    const request = { workspaceId: t.ws.workspaceId, key: 'pull-1', path: '/access_codes/pull_backup_access_code', input };
    // Taking the backup commits, linking the original faults: nothing may replay that half.
    const update: typeof t.deps.accessCodes.update = (next, previous, extras) =>
      next.access_code.access_code_id === access_code.access_code_id ? Promise.reject(new Error('fault')) : t.deps.accessCodes.update(next, previous, extras);
    await expect(underIdempotencyKey(t.deps, request, () => pullBackupAccessCode({ ...t.deps, accessCodes: { ...t.deps.accessCodes, update } }, t.ws.principal, input))).rejects.toThrow('fault');

    let pulled: Awaited<ReturnType<typeof pullBackupAccessCode>> | undefined;
    const killed = async () => {
      pulled = await pullBackupAccessCode(t.deps, t.ws.principal, input);
      throw new Error('killed before answering');
    };
    await expect(underIdempotencyKey(t.deps, request, killed)).rejects.toThrow('killed');
    expect((await getAccessCode(t.deps, t.ws.principal, input)).pulled_backup_access_code_id).toBe(pulled?.access_code.access_code_id);
    t.clock.advance(idempotencyLeaseMs);
    const replay = await underIdempotencyKey(t.deps, request, async () => ({ ran: true }));
    expect(replay).toMatchObject({ answer: { status: 200, body: { access_code: { access_code_id: pulled?.access_code.access_code_id }, ok: true } } });
  });
});
