import { createAccessCode } from '../../lib/access-codes/create-access-code';
import { getAccessCode } from '../../lib/access-codes/get-access-code';
import { accessCodeSchema, createAccessCodeInputSchema, updateAccessCodeInputSchema } from '../../lib/access-codes/schemas';
import { updateAccessCode } from '../../lib/access-codes/update-access-code';
import { pollDueCodes } from '../../lib/engine/poll-due-codes';
import { AppError } from '../../lib/errors';
import { openApiDocument } from '../../lib/http/openapi';
import { simulateKeypadEntry } from '../../lib/locks/simulate-keypad-entry';
import { memoryApp, sandboxWorkspace } from '../support/memory-app';

// The manual clock starts on Monday 2026-11-23 at 12:00 UTC.
const create = (input: Record<string, unknown>) => createAccessCodeInputSchema.parse(input);
const update = (input: Record<string, unknown>) => updateAccessCodeInputSchema.parse(input);
const lunch = { time_zone: 'UTC', weekly: [{ days: ['mon', 'wed'], start_time: '11:30', end_time: '13:00' }] };
const evenings = { time_zone: 'America/New_York', weekly: [{ days: ['fri'], start_time: '18:00', end_time: '02:00' }] };

async function setup() {
  const app = memoryApp();
  const ws = await sandboxWorkspace(app.deps);
  return { ...app, ws };
}

const rejection = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  return { type: error.type, status: error.statusCode, message: error.message };
};

describe('a recurring code through create and update', () => {
  it('is created setting in one of its windows, with its schedule and upcoming windows; starts_at/ends_at make it time-bound', async () => {
    const { deps, ws } = await setup();
    const input = create({ device_id: ws.byType('tedee_lock').device_id, recurring_schedule: lunch, starts_at: '2026-11-20T00:00:00.000Z', ends_at: '2026-11-26T00:00:00.000Z' });
    const { access_code } = await createAccessCode(deps, ws.principal, input);
    expect(accessCodeSchema.parse(access_code)).toEqual(access_code);
    expect(access_code).toMatchObject({ type: 'time_bound', status: 'setting', recurring_schedule: lunch });
    expect(access_code.upcoming_windows).toEqual([
      { starts_at: '2026-11-23T11:30:00.000Z', ends_at: '2026-11-23T13:00:00.000Z' },
      { starts_at: '2026-11-25T11:30:00.000Z', ends_at: '2026-11-25T13:00:00.000Z' },
    ]);
  });

  it('is created unset outside its windows; a Friday-night window ends on Saturday', async () => {
    const { deps, ws } = await setup();
    const { access_code } = await createAccessCode(deps, ws.principal, create({ device_id: ws.byType('tedee_lock').device_id, recurring_schedule: evenings }));
    expect(access_code).toMatchObject({ type: 'ongoing', status: 'unset' });
    expect(access_code.pending_mutations).toEqual([expect.objectContaining({ mutation_code: 'deferring_creation', scheduled_at: '2026-11-27T23:00:00.000Z' })]);
    expect(access_code.upcoming_windows?.[0]).toEqual({ starts_at: '2026-11-27T23:00:00.000Z', ends_at: '2026-11-28T07:00:00.000Z' });
    expect(access_code.upcoming_windows).toHaveLength(10);
  });

  it('update gives a plain code a schedule (a time-frame change for the lock), and null makes it plain again', async () => {
    const { deps, ws } = await setup();
    const { access_code: plain } = await createAccessCode(deps, ws.principal, create({ device_id: ws.byType('tedee_lock').device_id }));
    const id = plain.access_code_id;

    await updateAccessCode(deps, ws.principal, update({ access_code_id: id, recurring_schedule: evenings }));
    const recurring = await getAccessCode(deps, ws.principal, { access_code_id: id });
    expect(recurring).toMatchObject({ status: 'unset', recurring_schedule: evenings });
    expect(recurring.pending_mutations.map((m) => m.mutation_code)).toContain('updating_time_frame');
    expect(recurring.upcoming_windows?.[0]?.starts_at).toBe('2026-11-27T23:00:00.000Z');

    const unchanged = await updateAccessCode(deps, ws.principal, update({ access_code_id: id, recurring_schedule: evenings }));
    expect(unchanged.status).toBe('success');

    await updateAccessCode(deps, ws.principal, update({ access_code_id: id, recurring_schedule: null }));
    const again = await getAccessCode(deps, ws.principal, { access_code_id: id });
    expect(again.status).toBe('setting');
    expect(again.recurring_schedule).toBeUndefined();
    expect(again.upcoming_windows).toBeUndefined();
  });

  it('refuses a schedule on a code using the backup pool, naming recurring_schedule', async () => {
    const { deps, ws } = await setup();
    const input = create({
      device_id: ws.byType('schlage_lock').device_id,
      recurring_schedule: lunch,
      use_backup_access_code_pool: true,
      starts_at: '2026-11-24T00:00:00.000Z',
      ends_at: '2026-11-26T00:00:00.000Z',
    });
    expect(await rejection(createAccessCode(deps, ws.principal, input))).toEqual({
      type: 'invalid_input',
      status: 400,
      message: 'Offline codes and codes using the backup access code pool cannot have a recurring schedule for "recurring_schedule"',
    });
  });

  it('names the nested field of a bad schedule in the create input', () => {
    const result = createAccessCodeInputSchema.safeParse({
      device_id: '2cb2206b-5e19-418e-9a6b-d4fc333167a9',
      recurring_schedule: { time_zone: 'UTC', weekly: [{ days: ['mon'], start_time: '10:00', end_time: '10:00' }] },
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['recurring_schedule', 'weekly', 0, 'end_time']);
  });
});

describe('keypad entries on a recurring code', () => {
  // Monday 12:05-12:10 and 12:11-12:20 UTC; the clock starts on Monday at 12:00.
  const twoWindows = {
    time_zone: 'UTC',
    weekly: [
      { days: ['mon'], start_time: '12:05', end_time: '12:10' },
      { days: ['mon'], start_time: '12:11', end_time: '12:20' },
    ],
  };

  async function entriesSetup() {
    const app = memoryApp({ latencyMs: 2000 });
    const ws = await sandboxWorkspace(app.deps);
    const runTo = async (iso: string) => {
      while (app.clock.now().toISOString() < iso) {
        app.clock.advance(1000);
        await pollDueCodes(app.deps);
      }
    };
    const enter = (device_id: string, code: string) => simulateKeypadEntry(app.deps, ws.principal, { device_id, code });
    const denials = () => app.published.filter((e) => e.event_type === 'lock.access_denied' || e.event_type === 'lock.unlocked').map((e) => [e.event_type, Reflect.get(e, 'reason')]);
    return { ...app, ws, runTo, enter, denials };
  }

  it.each([
    ['a just-in-time lock (between windows the code is off the lock)', 'smartthings_lock', '4821'],
    ['a lock that keeps weekly schedules (it holds the code and refuses it between windows)', 'nuki_lock', '345678'],
  ])('on %s: an entry in a window unlocks, one between windows is denied as expired_code', async (_name, type, pin) => {
    const t = await entriesSetup();
    const lock = t.ws.byType(type);
    await createAccessCode(t.deps, t.ws.principal, create({ device_id: lock.device_id, code: pin, recurring_schedule: twoWindows }));
    await t.runTo('2026-11-23T12:06:00.000Z');
    await t.enter(lock.device_id, pin);
    await t.runTo('2026-11-23T12:10:20.000Z');
    await t.enter(lock.device_id, pin);
    expect(t.denials()).toEqual([
      ['lock.unlocked', undefined],
      ['lock.access_denied', expect.objectContaining({ reason_code: 'expired_code' })],
    ]);
  });
});

describe('/openapi.json', () => {
  it('documents recurring_schedule on create and update, and upcoming_windows on the code, from the one schema', () => {
    const doc = openApiDocument() as unknown as {
      paths: Record<string, { post: { requestBody: { content: { 'application/json': { schema: { properties: Record<string, unknown> } } } } } }>;
    };
    const input = (path: string) => doc.paths[path]?.post.requestBody.content['application/json'].schema.properties ?? {};
    const days = { type: 'string', enum: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] };
    expect(input('/access_codes/create').recurring_schedule).toMatchObject({ properties: { weekly: { items: { properties: { days: { items: days } } } } } });
    expect(JSON.stringify(input('/access_codes/update').recurring_schedule)).toContain('"start_time"');
    expect(JSON.stringify(doc)).toContain('upcoming_windows');
  });
});
