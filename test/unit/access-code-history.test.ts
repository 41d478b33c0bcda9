import { createAccessCode } from '../../lib/access-codes/create-access-code';
import { deleteAccessCode } from '../../lib/access-codes/delete-access-code';
import { generateCode } from '../../lib/access-codes/generate-code';
import { createAccessCodeInputSchema, updateAccessCodeInputSchema } from '../../lib/access-codes/schemas';
import { getTimeline, getTimelineInputSchema } from '../../lib/access-codes/timeline';
import { updateAccessCode } from '../../lib/access-codes/update-access-code';
import { reportDeviceConstraints, reportDeviceConstraintsInputSchema } from '../../lib/devices/report-constraints';
import { AppError } from '../../lib/errors';
import { memoryApp, sandboxWorkspace } from '../support/memory-app';

const create = (input: Record<string, unknown>) => createAccessCodeInputSchema.parse(input);
const update = (input: Record<string, unknown>) => updateAccessCodeInputSchema.parse(input);
const timeline = (input: Record<string, unknown>) => getTimelineInputSchema.parse(input);
const DAY = 86_400_000;

async function setup() {
  const app = memoryApp();
  const ws = await sandboxWorkspace(app.deps);
  const other = await sandboxWorkspace(app.deps, 'Other');
  return { ...app, ws, other };
}

const errorType = (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (e: unknown) => (e instanceof AppError ? e.type : String(e)),
  );

describe('getTimeline', () => {
  it("lists a code's events oldest first, with precise change events, one page at a time", async () => {
    const { deps, ws, clock } = await setup();
    const { access_code } = await createAccessCode(deps, ws.principal, create({ device_id: ws.byType('kwikset_lock').device_id, name: 'Guest', code: '4829' }));
    const id = access_code.access_code_id;
    clock.advance(1000);
    await updateAccessCode(deps, ws.principal, update({ access_code_id: id, name: 'Guest 2' }));
    clock.advance(1000);
    await updateAccessCode(deps, ws.principal, update({ access_code_id: id, code: '7391' }));

    const all = await getTimeline(deps, ws.principal, timeline({ access_code_id: id }));
    expect(all.timeline_events.map((e) => e.event_type)).toEqual(['access_code.created', 'access_code.changed', 'access_code.name_changed', 'access_code.changed', 'access_code.code_changed']);
    expect(all.timeline_events[0]).toMatchObject({ actor: { type: 'api_key' }, description: expect.stringMatching(/created/), related_resource_ids: { device_id: access_code.device_id } });
    expect(all.pagination).toEqual({ has_more: false, next_cursor: null, prev_cursor: null });

    const first = await getTimeline(deps, ws.principal, timeline({ access_code_id: id, limit: 2 }));
    expect(first.timeline_events).toHaveLength(2);
    expect(first.pagination).toMatchObject({ has_more: true, next_cursor: expect.any(String), prev_cursor: null });
    const second = await getTimeline(deps, ws.principal, timeline({ access_code_id: id, limit: 2, cursor: first.pagination.next_cursor }));
    expect(second.timeline_events.map((e) => e.timeline_event_id)).toEqual(all.timeline_events.slice(2, 4).map((e) => e.timeline_event_id));
    const back = await getTimeline(deps, ws.principal, timeline({ access_code_id: id, limit: 2, cursor: second.pagination.prev_cursor }));
    expect(back.timeline_events.map((e) => e.timeline_event_id)).toEqual(all.timeline_events.slice(0, 2).map((e) => e.timeline_event_id));

    const filtered = await getTimeline(deps, ws.principal, timeline({ access_code_id: id, event_types: ['access_code.name_changed', 'access_code.code_changed'] }));
    expect(filtered.timeline_events.map((e) => e.event_type)).toEqual(['access_code.name_changed', 'access_code.code_changed']);
    const after = await getTimeline(deps, ws.principal, timeline({ access_code_id: id, after: all.timeline_events[0]?.occurred_at }));
    expect(after.timeline_events.map((e) => e.event_type)[0]).toBe('access_code.changed');
  });

  it('stays readable for the configured days after the code is deleted, then answers access_code_not_found', async () => {
    const { deps, ws, other, clock } = await setup();
    const { access_code } = await createAccessCode(
      deps,
      ws.principal,
      create({ device_id: ws.byType('kwikset_lock').device_id, starts_at: new Date(clock.now().getTime() + DAY).toISOString(), ends_at: new Date(clock.now().getTime() + 2 * DAY).toISOString() }),
    );
    const id = access_code.access_code_id;
    clock.advance(1000);
    await deleteAccessCode(deps, ws.principal, { access_code_id: id });

    const gone = await getTimeline(deps, ws.principal, timeline({ access_code_id: id }));
    expect(gone.timeline_events.map((e) => e.event_type)).toEqual(['access_code.created', 'access_code.deleted']);
    expect(await errorType(getTimeline(deps, other.principal, timeline({ access_code_id: id })))).toBe('access_code_not_found');

    clock.advance(31 * DAY);
    expect(await errorType(getTimeline(deps, ws.principal, timeline({ access_code_id: id })))).toBe('access_code_not_found');
  });

  it('refuses a cursor it did not give out, naming cursor', async () => {
    const { deps, ws } = await setup();
    const { access_code } = await createAccessCode(deps, ws.principal, create({ device_id: ws.byType('kwikset_lock').device_id }));
    const error = await getTimeline(deps, ws.principal, timeline({ access_code_id: access_code.access_code_id, cursor: 'bm90IGEgY3Vyc29y' })).catch((e: unknown) => e);
    expect(error).toMatchObject({ type: 'invalid_input', extra: { validation_errors: { cursor: { _errors: [expect.any(String)] } } } });
  });
});

describe('reportDeviceConstraints', () => {
  const report = (input: Record<string, unknown>) => reportDeviceConstraintsInputSchema.parse(input);

  it('records the lengths a lock accepts: generated and chosen PINs follow them', async () => {
    const { deps, ws } = await setup();
    const gate = ws.byType('smartthings_lock');
    await reportDeviceConstraints(deps, ws.principal, report({ device_id: gate.device_id, supported_code_lengths: [7] }));
    for (let i = 0; i < 5; i++) expect((await generateCode(deps, ws.principal, { device_id: gate.device_id })).code).toHaveLength(7);
    expect(await errorType(createAccessCode(deps, ws.principal, create({ device_id: gate.device_id, code: '4829' })))).toBe('invalid_input');
    await expect(createAccessCode(deps, ws.principal, create({ device_id: gate.device_id, code: '4829173' }))).resolves.toBeDefined();

    await reportDeviceConstraints(deps, ws.principal, report({ device_id: gate.device_id, min_code_length: 5, max_code_length: 6 }));
    expect((await deps.devices.get(ws.workspaceId, gate.device_id))?.device.properties.supported_code_lengths).toEqual([5, 6]);
  });

  it('takes either a list or a range, in 4..20, and only for devices the caller may touch', async () => {
    const { deps, ws, other } = await setup();
    const device_id = ws.byType('smartthings_lock').device_id;
    for (const bad of [{}, { supported_code_lengths: [3] }, { supported_code_lengths: [] }, { supported_code_lengths: [6], min_code_length: 4 }, { min_code_length: 8, max_code_length: 6 }]) {
      expect(reportDeviceConstraintsInputSchema.safeParse({ device_id, ...bad }).success).toBe(false);
    }
    expect(await errorType(reportDeviceConstraints(deps, other.principal, report({ device_id, supported_code_lengths: [6] })))).toBe('device_not_found');
  });
});

describe('common code keys', () => {
  it("bind a key's PIN while one of its codes exists, and release it when the last is gone", async () => {
    const { deps, ws, clock } = await setup();
    const [a, b] = [ws.byType('kwikset_lock').device_id, ws.byType('smartthings_lock').device_id];
    // Far ahead, so that a delete takes them away at once, without lock work.
    const window = { starts_at: new Date(clock.now().getTime() + 10 * DAY).toISOString(), ends_at: new Date(clock.now().getTime() + 11 * DAY).toISOString() };
    const first = await createAccessCode(deps, ws.principal, create({ device_id: a, code: '4829', common_code_key: 'stay-17', ...window }));
    const second = await createAccessCode(deps, ws.principal, create({ device_id: b, common_code_key: 'stay-17', ...window }));
    expect(second.access_code.code).toBe('4829');
    expect((await deps.accessCodes.listByCommonCodeKey(ws.workspaceId, 'stay-17')).map((r) => r.access_code.access_code_id).sort()).toEqual(
      [first.access_code.access_code_id, second.access_code.access_code_id].sort(),
    );

    await deleteAccessCode(deps, ws.principal, { access_code_id: first.access_code.access_code_id });
    expect(await deps.accessCodes.getCommonCodePin(ws.workspaceId, 'stay-17')).toBe('4829');
    await deleteAccessCode(deps, ws.principal, { access_code_id: second.access_code.access_code_id });
    expect(await deps.accessCodes.getCommonCodePin(ws.workspaceId, 'stay-17')).toBeUndefined();

    const again = await createAccessCode(deps, ws.principal, create({ device_id: a, code: '5937', common_code_key: 'stay-17' }));
    expect(again.access_code.code).toBe('5937');
  });
});
