import { createAccessCode } from '../../lib/access-codes/create-access-code';
import { deleteAccessCode } from '../../lib/access-codes/delete-access-code';
import { getAccessCode } from '../../lib/access-codes/get-access-code';
import { createAccessCodeInputSchema, updateAccessCodeInputSchema } from '../../lib/access-codes/schemas';
import { updateAccessCode } from '../../lib/access-codes/update-access-code';
import { getActionAttempt } from '../../lib/action-attempts/get-action-attempt';
import { simulateConnection } from '../../lib/devices/device-queries';
import { codesApp, failure } from '../support/codes-app';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

async function setup() {
  const app = await codesApp();
  const { ws } = app;
  const igloo = ws.byType('igloohome_lock');
  const at = (ms: number) => new Date(app.clock.now().getTime() + ms).toISOString();
  const create = (input: Record<string, unknown>) =>
    createAccessCode(app.deps, ws.principal, createAccessCodeInputSchema.parse({ device_id: igloo.device_id, is_offline_access_code: true, ...input }));
  const get = (id: string) => getAccessCode(app.deps, ws.principal, { access_code_id: id });
  const tick = (ms = 1000) => app.tick(1, ms);
  const simulateOffline = () => simulateConnection(app.deps, ws.principal, igloo.device_id, false);
  return { ...app, ws, igloo, at, create, get, tick, simulateOffline };
}

describe('offline access codes on an igloohome-like sandbox lock', () => {
  it('is a lock with offline codes as Seam shows igloohome', async () => {
    const { igloo } = await setup();
    expect(igloo).toMatchObject({
      can_program_offline_access_codes: true,
      properties: {
        offline_access_codes_enabled: true,
        model: { offline_access_codes_supported: true },
        offline_time_frame_options: [
          { display_name: 'Hourly', min_duration: 'PT1H', max_duration: 'PT672H' },
          { display_name: 'Daily', min_duration: 'P29D', max_duration: 'P367D', matching_start_end_time: true },
          expect.objectContaining({ display_name: 'One-time' }),
        ],
      },
    });
  });

  it('creates an hourly-bound code waiting for its PIN, rounded to the hour, then sets it with a 9-digit algoPIN', async () => {
    const t = await setup();
    const startsAt = new Date(Date.parse(t.at(DAY)) + 20 * 60_000).toISOString();
    const { access_code, action_attempt } = await t.create({ name: 'Hourly guest', starts_at: startsAt, ends_at: t.at(3 * DAY) });
    expect(access_code).toMatchObject({ type: 'time_bound', status: 'unset', code: null, is_offline_access_code: true, is_waiting_for_code_assignment: true });
    expect(access_code.starts_at).toMatch(/T\d\d:00:00\.000Z$/);
    expect(access_code.warnings.map((w) => w.warning_code)).toEqual(['igloo_algopin_must_be_used_within_24_hours']);

    await t.simulateOffline();
    await t.tick();
    const set = await t.get(access_code.access_code_id);
    expect(set).toMatchObject({ status: 'set', is_waiting_for_code_assignment: false, code: expect.stringMatching(/^[1-9]\d{8}$/) });
    expect(await getActionAttempt(t.deps, t.ws.principal, action_attempt.action_attempt_id)).toMatchObject({ status: 'success' });
    expect(t.published.map((e) => e.event_type)).toEqual(['access_code.created', 'access_code.set_on_device']);
  });

  it('takes at most 3 codes starting in one hour, each with its own PIN', async () => {
    const t = await setup();
    const window = { starts_at: t.at(DAY), ends_at: t.at(DAY + 4 * HOUR) };
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await t.create(window)).access_code.access_code_id);
    expect(await failure(t.create(window))).toEqual({ type: 'invalid_input', fields: ['starts_at'] });
    await t.tick();
    const pins = await Promise.all(ids.map(async (id) => (await t.get(id)).code));
    expect(new Set(pins).size).toBe(3);
  });

  it('makes daily-bound codes with max_time_rounding 1d (or 1day) for 29 to 367 days', async () => {
    const t = await setup();
    const daily = await t.create({ starts_at: t.at(DAY), ends_at: t.at(DAY + 30 * DAY + 3 * HOUR), max_time_rounding: '1d' });
    expect(Date.parse(daily.access_code.ends_at ?? '') - Date.parse(daily.access_code.starts_at ?? '')).toBe(30 * DAY);
    await expect(t.create({ starts_at: t.at(2 * DAY), ends_at: t.at(2 * DAY + 60 * DAY), max_time_rounding: '1day' })).resolves.toBeDefined();
    expect(await failure(t.create({ starts_at: t.at(DAY), ends_at: t.at(11 * DAY), max_time_rounding: '1d' }))).toEqual({ type: 'invalid_input', fields: ['ends_at'] });
    expect(await failure(t.create({ starts_at: t.at(DAY), ends_at: t.at(DAY + 400 * DAY), max_time_rounding: '1d' }))).toEqual({ type: 'invalid_input', fields: ['ends_at'] });
    expect(await failure(t.create({ starts_at: t.at(DAY), ends_at: t.at(DAY + 30 * DAY) }))).toEqual({ type: 'invalid_input', fields: ['max_time_rounding'] });
    expect(await failure(t.create({ starts_at: t.at(DAY), ends_at: t.at(DAY + 10 * 60_000) }))).toEqual({ type: 'invalid_input', fields: ['ends_at'] });
  });

  it('makes one-time-use codes from starts_at alone, gone 24 hours after they start', async () => {
    const t = await setup();
    const { access_code } = await t.create({ starts_at: t.at(HOUR), is_one_time_use: true });
    expect(access_code).toMatchObject({ type: 'time_bound', is_one_time_use: true });
    expect(access_code).not.toHaveProperty('ends_at');
    await t.tick();
    expect((await t.get(access_code.access_code_id)).status).toBe('set');
    await t.tick(25 * HOUR);
    expect(await failure(t.get(access_code.access_code_id))).toMatchObject({ type: 'access_code_not_found' });
    expect(await failure(t.create({ starts_at: t.at(HOUR), ends_at: t.at(3 * HOUR), is_one_time_use: true }))).toEqual({ type: 'invalid_input', fields: ['is_one_time_use'] });
  });

  it('refuses changes and deletion once the PIN is given out, and a PIN chosen by the client', async () => {
    const t = await setup();
    const { access_code } = await t.create({ starts_at: t.at(DAY), ends_at: t.at(DAY + 5 * HOUR) });
    const waiting = await t.create({ starts_at: t.at(DAY), ends_at: t.at(DAY + 5 * HOUR) });
    await deleteAccessCode(t.deps, t.ws.principal, { access_code_id: waiting.access_code.access_code_id });
    await t.tick();
    const update = updateAccessCodeInputSchema.parse({ access_code_id: access_code.access_code_id, name: 'Renamed' });
    expect(await failure(updateAccessCode(t.deps, t.ws.principal, update))).toEqual({ type: 'invalid_input', fields: ['access_code_id'] });
    expect(await failure(deleteAccessCode(t.deps, t.ws.principal, { access_code_id: access_code.access_code_id }))).toEqual({ type: 'invalid_input', fields: ['access_code_id'] });
    expect(await failure(t.create({ starts_at: t.at(DAY), ends_at: t.at(DAY + 5 * HOUR), code: '4829' }))).toEqual({ type: 'invalid_input', fields: ['code'] });
  });

  it('takes use_offline_access_code, the deprecated alias, the same way; other locks refuse offline codes', async () => {
    const t = await setup();
    const { access_code } = await createAccessCode(
      t.deps,
      t.ws.principal,
      createAccessCodeInputSchema.parse({ device_id: t.igloo.device_id, use_offline_access_code: true, starts_at: t.at(DAY), ends_at: t.at(DAY + 2 * HOUR) }),
    );
    expect(access_code).toMatchObject({ is_offline_access_code: true, is_waiting_for_code_assignment: true });
    const other = createAccessCodeInputSchema.parse({ device_id: t.ws.byType('kwikset_lock').device_id, is_offline_access_code: true, starts_at: t.at(DAY), ends_at: t.at(DAY + 2 * HOUR) });
    expect(await failure(createAccessCode(t.deps, t.ws.principal, other))).toEqual({ type: 'invalid_input', fields: ['is_offline_access_code'] });
  });
});
