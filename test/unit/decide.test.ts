import { defaultLifecycleSettings } from '../../lib/deps';
import type { AccessCode, AccessCodeRecord } from '../../lib/access-codes/schemas';
import { type DeviceTraits, type KeypadEntry, ProviderError } from '../../lib/devices/lock-provider';
import { type LockRead, type Situation, callFailed, callMade, decide, offlinePinAssigned, offlineSlotFull, paced } from '../../lib/engine/decide';
import type { AssignOfflinePin, Call } from '../../lib/engine/outcome';
import { accessCodeFixture, fixtureTime } from '../support/fixtures';

const now = new Date(fixtureTime);
const inMs = (ms: number) => new Date(now.getTime() + ms).toISOString();
const traits: DeviceTraits = {
  codeRules: { lengths: [4], constraints: [], slotCount: 30 },
  timeWindow: 'just_in_time',
  choosesPin: false,
  canRemoveRemotely: true,
  confirmation: 'read_back',
  verifyAfterMs: 2000,
  offlineCodes: false,
};
const settings = defaultLifecycleSettings;
const workspaceId = '2cb2206b-5e19-418e-9a6b-d4fc333167a9';
const deviceId = '77e739f7-51ff-4a84-b20f-86f3ed545306';

/** An ongoing code on its way to the lock, unless `code` and `record` say otherwise. */
function record(code: Partial<AccessCode> = {}, rest: Partial<Omit<AccessCodeRecord, 'access_code'>> = {}): AccessCodeRecord {
  const base = accessCodeFixture(workspaceId, deviceId, { accessCode: { type: 'ongoing', starts_at: undefined, ends_at: undefined, ...code }, record: { due_at: fixtureTime, ...rest } });
  if (code.type === undefined) {
    delete base.access_code.starts_at;
    delete base.access_code.ends_at;
  }
  return base;
}

/** A code Latchkey left set on the lock, nothing pending. */
const setCode = (code: Partial<AccessCode> = {}, rest: Partial<Omit<AccessCodeRecord, 'access_code'>> = {}) =>
  record({ status: 'set', pending_mutations: [], ...code }, { was_on_lock: true, ...rest });

const held = (entry: Partial<KeypadEntry> = {}): LockRead => ({ held: { access_code_id: 'x', code: '4817', state: 'present', ...entry } });
const empty: LockRead = { held: undefined };
const failedRead = (kind: ProviderError['kind']): LockRead => ({ error: new ProviderError(kind, `The lock said ${kind}`) });
const situation = (r: AccessCodeRecord, lock?: LockRead): Situation => ({ record: r, traits, settings, now, ...(lock && { lock }) });

const offline = { kind: 'hourly' as const, starts_at: '2026-11-23T12:00:00.000Z', ends_at: '2026-11-23T15:00:00.000Z', slot: '2026-11-23T12', places: 3 };
const timeBound = { type: 'time_bound' as const, status: 'unset' as const, starts_at: '2026-11-24T15:00:00.000Z', ends_at: '2026-11-27T11:00:00.000Z' };

const rows: [string, Situation, Record<string, unknown>][] = [
  [
    'settled: the lock holds the code as it should',
    situation(record(), held()),
    {
      kind: 'write',
      rule: 'settled',
      events: ['access_code.set_on_device'],
      next: expect.objectContaining({ access_code: expect.objectContaining({ status: 'set', pending_mutations: [] }), due_at: undefined }),
    },
  ],
  [
    'in flight: the lock is still taking the code',
    situation(record(), held({ state: 'adding' })),
    { kind: 'write', rule: 'in_flight', events: [], next: expect.objectContaining({ access_code: expect.objectContaining({ status: 'setting' }), due_at: inMs(traits.verifyAfterMs) }) },
  ],
  [
    'program: nothing on the lock, the code should be there',
    situation(record(), empty),
    { kind: 'program', rule: 'program', desired: expect.objectContaining({ code: '4817' }), events: [], record: expect.objectContaining({ sync: expect.objectContaining({ since: fixtureTime }) }) },
  ],
  [
    'program, with a delay warning once setting takes long',
    situation(record({}, { sync: { since: inMs(-settings.delayWarningMs), attempts: 2, warned: false, failed: false } }), empty),
    { kind: 'program', events: ['access_code.delay_in_setting_on_device'], record: expect.objectContaining({ sync: expect.objectContaining({ warned: true }) }) },
  ],
  [
    'remove: a deleted code is still on the lock',
    situation(record({ status: 'removing' }), held()),
    {
      kind: 'remove',
      rule: 'remove',
      events: [],
      record: expect.objectContaining({ access_code: expect.objectContaining({ status: 'removing', pending_mutations: [expect.objectContaining({ mutation_code: 'deleting' })] }) }),
    },
  ],
  [
    'gone: a deleted code is off the lock',
    situation(record({ status: 'removing' }, { was_on_lock: true }), empty),
    { kind: 'write', rule: 'gone', removed: true, events: ['access_code.removed_from_device'] },
  ],
  [
    'waiting: a time-bound code before its lead time',
    situation(record(timeBound), empty),
    { kind: 'write', rule: 'waiting', events: [], next: expect.objectContaining({ due_at: '2026-11-24T14:00:00.000Z', access_code: expect.objectContaining({ status: 'unset' }) }) },
  ],
  [
    'outage: the provider is down, retried without counting against the code',
    situation(record(), failedRead('provider_unavailable')),
    { kind: 'write', rule: 'outage', events: [], next: expect.objectContaining({ due_at: inMs(settings.retryBaseMs), sync: expect.objectContaining({ outages: 1, attempts: 0 }) }) },
  ],
  [
    'failed: an offline lock, retried with backoff',
    situation(record(), failedRead('device_offline')),
    {
      kind: 'write',
      rule: 'failed',
      events: [],
      next: expect.objectContaining({
        due_at: inMs(settings.retryBaseMs),
        access_code: expect.objectContaining({ errors: [expect.objectContaining({ error_code: 'device_offline', is_device_error: true })] }),
      }),
    },
  ],
  [
    'failed: given up at once when the code may not wait for an offline lock',
    situation(record({}, { attempt_for_offline_device: false }), failedRead('device_offline')),
    {
      kind: 'write',
      rule: 'failed',
      events: ['access_code.failed_to_set_on_device'],
      next: expect.objectContaining({
        access_code: expect.objectContaining({ status: 'unset', pending_mutations: [], errors: expect.arrayContaining([expect.objectContaining({ error_code: 'failed_to_set_on_device' })]) }),
      }),
    },
  ],
  [
    'external change: a changed PIN is put back where modification is not allowed',
    situation(setCode(), held({ code: '9999' })),
    {
      kind: 'write',
      rule: 'external_change_restored',
      events: ['access_code.modified_external_to_seam'],
      next: expect.objectContaining({
        due_at: fixtureTime,
        access_code: expect.objectContaining({ status: 'setting', code: '4817', errors: [expect.objectContaining({ error_code: 'conflicting_external_modification' })] }),
      }),
    },
  ],
  [
    'external change: a changed PIN is adopted where modification is allowed, else put back',
    situation(setCode({ is_external_modification_allowed: true }), held({ code: '9999' })),
    {
      kind: 'write',
      rule: 'external_change_adopted',
      events: ['access_code.modified_external_to_seam'],
      next: expect.objectContaining({ access_code: expect.objectContaining({ code: '9999', warnings: [expect.objectContaining({ warning_code: 'external_modification_in_effect' })] }) }),
      otherwise: expect.objectContaining({ rule: 'external_change_restored' }),
    },
  ],
  [
    'external change: a code removed at the lock goes where modification is allowed',
    situation(setCode({ is_external_modification_allowed: true }), empty),
    { kind: 'write', rule: 'external_change_removed', removed: true, events: ['access_code.deleted_external_to_seam'] },
  ],
  [
    'conversion: a converted code the lock still holds is managed now',
    situation(record({}, { converting: true }), held()),
    { kind: 'write', rule: 'converted', events: ['access_code.unmanaged.converted_to_managed'], next: expect.objectContaining({ access_code: expect.objectContaining({ status: 'set' }) }) },
  ],
  [
    'conversion: a converted code gone from the lock fails to convert',
    situation(record({}, { converting: true }), empty),
    { kind: 'write', rule: 'conversion_failed', removed: true, events: ['access_code.unmanaged.failed_to_convert_to_managed'] },
  ],
  [
    'offline code: waiting for its PIN',
    situation(record({ code: null, is_offline_access_code: true, is_waiting_for_code_assignment: true }, { offline })),
    { kind: 'assign_offline_pin', rule: 'offline_code_assign_pin', window: offline },
  ],
  [
    'offline code: with its PIN, due again at the end of its window',
    situation(record({ is_offline_access_code: true, status: 'set' }, { offline: { ...offline, place: 0 } })),
    { kind: 'write', rule: 'offline_code_kept', events: [], next: expect.objectContaining({ due_at: offline.ends_at }) },
  ],
  [
    'offline code: gone once its window is over',
    situation(record({ is_offline_access_code: true }, { offline: { ...offline, ends_at: fixtureTime } })),
    { kind: 'write', rule: 'offline_code_ended', removed: true, events: [] },
  ],
];

describe('decide', () => {
  it.each(rows)('%s', (_name, s, expected) => {
    expect(decide(s)).toMatchObject(expected);
  });

  it('is pure: the same situation gives the same outcome, and the record is left as it was', () => {
    const r = record({}, { sync: { since: inMs(-settings.delayWarningMs), attempts: 2, warned: false, failed: false } });
    const before = structuredClone(r);
    expect(decide(situation(r, empty))).toEqual(decide(situation(r, empty)));
    expect(r).toEqual(before);
  });
});

describe('after a provider call', () => {
  const program = decide(situation(record(), empty));
  if (program.kind !== 'program') throw new Error('expected a program call');
  const call: Call = program;

  it('programmed: checks on the lock after its verify time, keeping the reference it gave', () => {
    expect(callMade(call, 'ref-1', traits, now)).toMatchObject({
      rule: 'programmed',
      next: { provider_ref: 'ref-1', due_at: inMs(traits.verifyAfterMs), sync: { attempts: 1, outages: 0 } },
    });
  });

  it('paced: waits for its turn without counting an attempt, keeping the time it first fell due however often it waits', () => {
    const first = paced(call, inMs(60_000), now);
    expect(first).toMatchObject({ rule: 'paced', attempts: [], next: { due_at: inMs(60_000), queued_since: fixtureTime } });
    expect(first.next?.sync).toEqual(call.record.sync);
    const again = paced({ ...call, record: first.next as AccessCodeRecord }, inMs(120_000), new Date(Date.parse(inMs(60_000))));
    expect(again.next).toMatchObject({ due_at: inMs(120_000), queued_since: fixtureTime });
  });

  it('outage with Retry-After: a 429 or busy answer waits at least as long as the provider asked, counted as no attempt and failing nothing', () => {
    const busy = new ProviderError('provider_unavailable', 'The gateway is busy', { retryAfterMs: 90_000 });
    const outcome = callFailed(call.record, busy, { removing: false, events: call.events }, settings, now);
    expect(outcome).toMatchObject({ rule: 'outage', attempts: [], next: { due_at: inMs(90_000), sync: { attempts: 0, outages: 1, failed: false } } });
    expect(outcome.events).not.toContain('access_code.failed_to_set_on_device');
    expect(outcome.next?.access_code.errors).toEqual([]);
    const removing = callFailed(call.record, busy, { removing: true, events: [] }, settings, now);
    expect(removing).toMatchObject({ rule: 'outage', next: { due_at: inMs(90_000), sync: { attempts: 0 } } });
  });

  it('failed: a full lock is told at once, and retried', () => {
    const outcome = callFailed(call.record, new ProviderError('no_space_for_access_code_on_device', 'The lock is full'), { removing: false, events: call.events }, settings, now);
    expect(outcome).toMatchObject({ rule: 'failed', events: ['access_code.failed_to_set_on_device'], next: { due_at: inMs(settings.retryBaseMs), sync: { attempts: 1, failed: true } } });
  });

  const assignPin: AssignOfflinePin = { kind: 'assign_offline_pin', rule: 'offline_code_assign_pin', record: record({ code: null }, { offline }), window: offline };

  it('offline PIN assigned: set at once, at its place in the slot', () => {
    expect(offlinePinAssigned(assignPin, 1, '123456', now)).toMatchObject({
      rule: 'offline_code_assigned',
      events: ['access_code.set_on_device'],
      next: { offline: { place: 1 }, due_at: offline.ends_at, access_code: { code: '123456', status: 'set', is_waiting_for_code_assignment: false } },
    });
  });

  it('offline slot full: the code fails and goes at the end of its window', () => {
    expect(offlineSlotFull(assignPin, now)).toMatchObject({
      rule: 'offline_slot_full',
      events: ['access_code.failed_to_set_on_device'],
      next: { due_at: offline.ends_at, access_code: { errors: [expect.objectContaining({ error_code: 'failed_to_set_on_device' })] } },
    });
  });
});

describe('decide: a recurring code (Monday 12:05-12:10 and 12:11-12:20 UTC; it is Monday 12:00)', () => {
  const schedule = {
    time_zone: 'UTC',
    weekly: [
      { days: ['mon' as const], start_time: '12:05', end_time: '12:10' },
      { days: ['mon' as const], start_time: '12:11', end_time: '12:20' },
    ],
  };
  const at = (time: string) => new Date(`2026-11-23T${time}Z`);
  const recurring = (code: Partial<AccessCode> = {}, rest: Partial<Omit<AccessCodeRecord, 'access_code'>> = {}) =>
    record({ status: 'unset', pending_mutations: [], recurring_schedule: schedule, ...code }, { prefer_native_scheduling: true, ...rest });
  const onLock = (code: Partial<AccessCode> = {}) => recurring(code, { was_on_lock: true });
  const step = (r: AccessCodeRecord, lock: LockRead, time: string, lockTraits: Partial<DeviceTraits> = {}): Situation => ({
    record: r,
    traits: { ...traits, ...lockTraits },
    settings,
    now: at(time),
    lock,
  });
  const codeWith = (fields: Partial<AccessCode>) => expect.objectContaining({ access_code: expect.objectContaining(fields) });

  const recurringRows: [string, Situation, Record<string, unknown>][] = [
    [
      'waiting: before the lead time of its first window (LATCHKEY_RECURRING_LEAD_SECONDS, 120 s)',
      step(recurring(), empty, '12:00:00.000'),
      { kind: 'write', rule: 'waiting', events: [], next: expect.objectContaining({ due_at: '2026-11-23T12:03:00.000Z', access_code: expect.objectContaining({ status: 'unset' }) }) },
    ],
    [
      'program: within the lead time, still unset',
      step(recurring(), empty, '12:03:00.000'),
      { kind: 'program', desired: { access_code_id: expect.any(String), code: '4817' }, record: codeWith({ status: 'unset' }) },
    ],
    [
      'settled before the window: on the lock, unset, due at the window start',
      step(recurring(), held(), '12:04:00.000'),
      {
        kind: 'write',
        rule: 'settled',
        events: [],
        next: expect.objectContaining({ due_at: '2026-11-23T12:05:00.000Z', access_code: expect.objectContaining({ status: 'unset', is_scheduled_on_device: false }) }),
      },
    ],
    [
      'settled in the window: set, due at the window end',
      step(onLock(), held(), '12:05:00.000'),
      {
        kind: 'write',
        rule: 'settled',
        events: ['access_code.set_on_device'],
        next: expect.objectContaining({ due_at: '2026-11-23T12:10:00.000Z', access_code: expect.objectContaining({ status: 'set' }) }),
      },
    ],
    [
      'program in the window: setting',
      step(recurring(), empty, '12:06:00.000'),
      { kind: 'program', record: codeWith({ status: 'setting', pending_mutations: [expect.objectContaining({ mutation_code: 'creating' })] }) },
    ],
    [
      'remove at the window end: unset, and not being deleted',
      step(onLock({ status: 'set' }), held(), '12:10:00.000'),
      { kind: 'remove', record: codeWith({ status: 'unset', pending_mutations: [] }) },
    ],
    [
      'off the lock between windows: removed_from_device, due in the middle of the gap (the next lead would overlap the last window)',
      step(onLock({ status: 'unset' }), empty, '12:10:02.000'),
      {
        kind: 'write',
        rule: 'waiting',
        events: ['access_code.removed_from_device'],
        next: expect.objectContaining({ due_at: '2026-11-23T12:10:30.000Z', access_code: expect.objectContaining({ status: 'unset' }) }),
      },
    ],
    ['program for the next window from the middle of the gap', step(recurring(), empty, '12:10:30.000'), { kind: 'program', record: codeWith({ status: 'unset' }) }],
    [
      'remove: a deleted recurring code',
      step(onLock({ status: 'removing' }), held(), '12:06:00.000'),
      { kind: 'remove', record: codeWith({ status: 'removing', pending_mutations: [expect.objectContaining({ mutation_code: 'deleting' })] }) },
    ],
    [
      'gone: past its ends_at',
      step(recurring({ type: 'time_bound', starts_at: '2026-11-16T00:00:00.000Z', ends_at: '2026-11-23T12:07:00.000Z' }, { was_on_lock: true }), empty, '12:07:00.000'),
      { kind: 'write', rule: 'gone', removed: true },
    ],
    [
      'a lock that keeps a time window gets each window as a time-bound code',
      step(recurring(), empty, '12:00:00.000', { timeWindow: 'native' }),
      { kind: 'program', desired: expect.objectContaining({ starts_at: '2026-11-23T12:05:00.000Z', ends_at: '2026-11-23T12:10:00.000Z' }) },
    ],
    [
      'a lock that keeps a time window dropped the last window by itself and the step comes late: the next window is programmed, no external change',
      step(onLock({ status: 'set', upcoming_windows: [{ starts_at: '2026-11-23T12:05:00.000Z', ends_at: '2026-11-23T12:10:00.000Z' }] }), empty, '12:10:40.000', { timeWindow: 'native' }),
      { kind: 'program', events: [], desired: expect.objectContaining({ starts_at: '2026-11-23T12:11:00.000Z', ends_at: '2026-11-23T12:20:00.000Z' }) },
    ],
    [
      'a lock that keeps a time window lost the code in its window: an external change',
      step(onLock({ status: 'set', upcoming_windows: [{ starts_at: '2026-11-23T12:05:00.000Z', ends_at: '2026-11-23T12:10:00.000Z' }] }), empty, '12:07:00.000', { timeWindow: 'native' }),
      { kind: 'write', rule: 'external_change_restored', events: ['access_code.deleted_external_to_seam'] },
    ],
    [
      'a lock that keeps weekly schedules gets the code once, with its schedule',
      step(recurring(), empty, '12:00:00.000', { timeWindow: 'native', weeklySchedules: true }),
      { kind: 'program', desired: { access_code_id: expect.any(String), code: '4817', recurring_schedule: schedule } },
    ],
    [
      'a lock that keeps weekly schedules holds it: scheduled on device, unset between windows, due at the next window edge',
      step(recurring(), held({ recurring_schedule: schedule }), '12:10:00.000', { timeWindow: 'native', weeklySchedules: true }),
      {
        kind: 'write',
        rule: 'settled',
        events: ['access_code.scheduled_on_device'],
        next: expect.objectContaining({ due_at: '2026-11-23T12:11:00.000Z', access_code: expect.objectContaining({ status: 'unset', is_scheduled_on_device: true }) }),
      },
    ],
    [
      'a lock that keeps weekly schedules, in a window: set',
      step(recurring({ is_scheduled_on_device: true }), held({ recurring_schedule: schedule }), '12:12:00.000', { timeWindow: 'native', weeklySchedules: true }),
      { kind: 'write', rule: 'settled', events: ['access_code.set_on_device'], next: codeWith({ status: 'set' }) },
    ],
  ];

  it.each(recurringRows)('%s', (_name, s, expected) => {
    expect(decide(s)).toMatchObject(expected);
  });

  it('failed: a recurring code the lock refused is given up for this window and comes back at its end, for the next', () => {
    const refused = decide(step(recurring({ status: 'setting' }), { error: new ProviderError('rejected_pin', 'The lock rejected the PIN') }, '12:06:00.000'));
    expect(refused).toMatchObject({ kind: 'write', rule: 'failed', next: expect.objectContaining({ due_at: '2026-11-23T12:10:00.000Z', access_code: expect.objectContaining({ status: 'unset' }) }) });
  });
});

describe('decide: one PIN handed over between stays that follow each other', () => {
  // It is 12:00. The first guest's stay ends at 12:01, the next one's starts then; both have PIN 4817.
  const stay = (from: number, to: number, code: Partial<AccessCode> = {}, rest: Partial<Omit<AccessCodeRecord, 'access_code'>> = {}) =>
    record({ ...timeBound, starts_at: inMs(from), ends_at: inMs(to), ...code }, rest);
  const minute = 60_000;
  const day = 86_400_000;
  const first = setCode({ type: 'time_bound', starts_at: inMs(-2 * day), ends_at: inMs(minute) });
  const next = stay(minute, 3 * day);
  const withPin = (r: AccessCodeRecord, samePin: AccessCodeRecord[], lock: LockRead, more: Partial<DeviceTraits> = {}): Situation => ({
    ...situation(r, lock),
    traits: { ...traits, ...more },
    samePin: [r, ...samePin],
  });
  const waiting = (due: string, status: AccessCode['status']) => ({
    kind: 'write',
    rule: 'waiting_for_pin',
    events: [],
    next: expect.objectContaining({ due_at: due, access_code: expect.objectContaining({ status }) }),
  });

  const handoverRows: [string, Situation, Record<string, unknown>][] = [
    [
      'the next stay waits, unset, while the first is on the lock, and looks again when the first ends (the lock shows the PIN: the first code)',
      withPin(next, [first], held()),
      waiting(inMs(minute), 'unset'),
    ],
    [
      'the first stay ended and its code is being removed: the next looks again after the verify time, setting',
      withPin(
        stay(-1000, 3 * day),
        [setCode({ type: 'time_bound', status: 'removing', starts_at: inMs(-2 * day), ends_at: inMs(-1000) }, { sync: { since: inMs(-1000), attempts: 1, warned: false, failed: false } })],
        held(),
      ),
      waiting(inMs(traits.verifyAfterMs), 'setting'),
    ],
    ['the first code is confirmed off the lock (gone): the next is programmed', withPin(next, [], empty), { kind: 'program', rule: 'program', desired: expect.objectContaining({ code: '4817' }) }],
    [
      'a natively scheduling lock is not loaded with the next stay while the first is on it',
      withPin(stay(day, 3 * day, {}, { prefer_native_scheduling: true }), [setCode({ type: 'time_bound', is_scheduled_on_device: true, starts_at: inMs(-2 * day), ends_at: inMs(day) })], empty, {
        timeWindow: 'native',
      }),
      waiting(inMs(day), 'unset'),
    ],
    ['of two stays neither on the lock, the earlier is programmed', withPin(stay(30_000, minute), [next], empty), { kind: 'program', rule: 'program' }],
    ['of two stays neither on the lock, the later waits for the earlier', withPin(next, [stay(30_000, minute)], empty), waiting(inMs(minute), 'unset')],
    ['a code on the lock stays settled whatever later stay shares its PIN', withPin(first, [next], held()), { kind: 'write', rule: 'settled' }],
    [
      'the next stay, deleted while it waits, is gone without a call: the entry the lock shows is the first code',
      withPin(stay(minute, 3 * day, { status: 'removing' }), [first], held()),
      { kind: 'write', rule: 'gone', removed: true, events: [] },
    ],
    ['a code of another PIN is no reason to wait', withPin(next, [{ ...first, access_code: { ...first.access_code, code: '9999' } }], empty), { kind: 'program', rule: 'program' }],
  ];

  it.each(handoverRows)('%s', (_name, s, expected) => {
    expect(decide(s)).toMatchObject(expected);
  });
});
