import { recurringScheduleSchema, windowsAfter } from '../../lib/devices/weekly-schedule';

const schedule = (time_zone: string, ...weekly: { days: string[]; start_time: string; end_time: string }[]) => recurringScheduleSchema.parse({ time_zone, weekly });
const at = (iso: string) => new Date(iso);
const starts = (windows: { starts_at: string }[]) => windows.map((w) => w.starts_at);

describe('windowsAfter: wall-clock windows across DST', () => {
  it('New York: 08:00-09:00 is 13:00Z before the March change and 12:00Z after it', () => {
    const daily = schedule('America/New_York', { days: ['fri', 'sat', 'sun', 'mon'], start_time: '08:00', end_time: '09:00' });
    expect(windowsAfter(daily, {}, at('2027-03-12T00:00:00Z'), 4)).toEqual([
      { starts_at: '2027-03-12T13:00:00.000Z', ends_at: '2027-03-12T14:00:00.000Z' },
      { starts_at: '2027-03-13T13:00:00.000Z', ends_at: '2027-03-13T14:00:00.000Z' },
      { starts_at: '2027-03-14T12:00:00.000Z', ends_at: '2027-03-14T13:00:00.000Z' },
      { starts_at: '2027-03-15T12:00:00.000Z', ends_at: '2027-03-15T13:00:00.000Z' },
    ]);
  });

  it('New York: a window in the skipped hour starts at the first valid minute (03:00 EDT)', () => {
    const night = schedule('America/New_York', { days: ['sun'], start_time: '02:30', end_time: '03:30' });
    expect(windowsAfter(night, {}, at('2027-03-13T00:00:00Z'), 2)).toEqual([
      { starts_at: '2027-03-14T07:00:00.000Z', ends_at: '2027-03-14T07:30:00.000Z' },
      { starts_at: '2027-03-21T06:30:00.000Z', ends_at: '2027-03-21T07:30:00.000Z' },
    ]);
  });

  it('New York: a window in the repeated hour uses its first occurrence (01:30 EDT)', () => {
    const night = schedule('America/New_York', { days: ['sun'], start_time: '01:30', end_time: '01:45' });
    expect(windowsAfter(night, {}, at('2027-11-01T00:00:00Z'), 2)).toEqual([
      { starts_at: '2027-11-07T05:30:00.000Z', ends_at: '2027-11-07T05:45:00.000Z' },
      { starts_at: '2027-11-14T06:30:00.000Z', ends_at: '2027-11-14T06:45:00.000Z' },
    ]);
  });

  it('London: 08:00-09:00 moves from 08:00Z to 07:00Z when BST starts, and back in October', () => {
    const sundays = schedule('Europe/London', { days: ['sun'], start_time: '08:00', end_time: '09:00' });
    expect(starts(windowsAfter(sundays, {}, at('2027-03-20T00:00:00Z'), 2))).toEqual(['2027-03-21T08:00:00.000Z', '2027-03-28T07:00:00.000Z']);
    expect(starts(windowsAfter(sundays, {}, at('2027-10-24T00:00:00Z'), 2))).toEqual(['2027-10-24T07:00:00.000Z', '2027-10-31T08:00:00.000Z']);
  });

  it('London: a window in the skipped hour (01:00-02:00 on the last Sunday of March) starts at 02:00 BST', () => {
    const night = schedule('Europe/London', { days: ['sun'], start_time: '01:15', end_time: '03:00' });
    expect(windowsAfter(night, {}, at('2027-03-27T00:00:00Z'), 1)).toEqual([{ starts_at: '2027-03-28T01:00:00.000Z', ends_at: '2027-03-28T02:00:00.000Z' }]);
  });

  it('Sydney: 08:00-09:00 is 21:00Z the day before under AEDT, 22:00Z under AEST (April), and 21:00Z again in October', () => {
    const sundays = schedule('Australia/Sydney', { days: ['sun'], start_time: '08:00', end_time: '09:00' });
    expect(starts(windowsAfter(sundays, {}, at('2027-03-27T00:00:00Z'), 2))).toEqual(['2027-03-27T21:00:00.000Z', '2027-04-03T22:00:00.000Z']);
    expect(starts(windowsAfter(sundays, {}, at('2027-09-25T00:00:00Z'), 2))).toEqual(['2027-09-25T22:00:00.000Z', '2027-10-02T21:00:00.000Z']);
  });

  it('Sydney: the repeated hour in April (02:00-03:00) uses its first occurrence, under AEDT', () => {
    const night = schedule('Australia/Sydney', { days: ['sun'], start_time: '02:30', end_time: '04:00' });
    expect(windowsAfter(night, {}, at('2027-04-03T00:00:00Z'), 1)).toEqual([{ starts_at: '2027-04-03T15:30:00.000Z', ends_at: '2027-04-03T18:00:00.000Z' }]);
  });
  it('Lord Howe: a half-hour change skips 02:00-02:30 in October and repeats 01:30-02:00 in April', () => {
    const skipped = schedule('Australia/Lord_Howe', { days: ['sun'], start_time: '02:00', end_time: '03:00' });
    expect(windowsAfter(skipped, {}, at('2027-09-30T00:00:00Z'), 2)).toEqual([
      { starts_at: '2027-10-02T15:30:00.000Z', ends_at: '2027-10-02T16:00:00.000Z' },
      { starts_at: '2027-10-09T15:00:00.000Z', ends_at: '2027-10-09T16:00:00.000Z' },
    ]);
    const repeated = schedule('Australia/Lord_Howe', { days: ['sun'], start_time: '01:45', end_time: '02:15' });
    expect(windowsAfter(repeated, {}, at('2027-03-30T00:00:00Z'), 2)).toEqual([
      { starts_at: '2027-04-03T14:45:00.000Z', ends_at: '2027-04-03T15:45:00.000Z' },
      { starts_at: '2027-04-10T15:15:00.000Z', ends_at: '2027-04-10T15:45:00.000Z' },
    ]);
  });
});

describe('windowsAfter: days, midnight and bounds', () => {
  it('a window whose end is earlier than its start ends the next day (Friday 22:00 to Saturday 02:00)', () => {
    const late = schedule('UTC', { days: ['fri'], start_time: '22:00', end_time: '02:00' });
    expect(windowsAfter(late, {}, at('2027-01-04T00:00:00Z'), 1)).toEqual([{ starts_at: '2027-01-08T22:00:00.000Z', ends_at: '2027-01-09T02:00:00.000Z' }]);
  });

  it('a window under way at `from` is the first, and one past is not', () => {
    const late = schedule('UTC', { days: ['sun'], start_time: '23:00', end_time: '01:00' });
    expect(starts(windowsAfter(late, {}, at('2027-01-04T00:30:00Z'), 2))).toEqual(['2027-01-03T23:00:00.000Z', '2027-01-10T23:00:00.000Z']);
    expect(starts(windowsAfter(late, {}, at('2027-01-04T01:00:00Z'), 1))).toEqual(['2027-01-10T23:00:00.000Z']);
  });

  it('Tuesdays and Fridays 10:00-14:00, in order, at most ten', () => {
    const cleaner = schedule('America/New_York', { days: ['tue', 'fri'], start_time: '10:00', end_time: '14:00' });
    const windows = windowsAfter(cleaner, {}, at('2027-01-01T00:00:00Z'));
    expect(windows).toHaveLength(10);
    expect(starts(windows).slice(0, 3)).toEqual(['2027-01-01T15:00:00.000Z', '2027-01-05T15:00:00.000Z', '2027-01-08T15:00:00.000Z']);
  });

  it('starts_at and ends_at bound the schedule and cut a window they fall in', () => {
    const weekdays = schedule('UTC', { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start_time: '12:00', end_time: '13:00' });
    const bounds = { starts_at: '2027-01-05T12:30:00.000Z', ends_at: '2027-01-07T12:15:00.000Z' };
    expect(windowsAfter(weekdays, bounds, at('2027-01-01T00:00:00Z'))).toEqual([
      { starts_at: '2027-01-05T12:30:00.000Z', ends_at: '2027-01-05T13:00:00.000Z' },
      { starts_at: '2027-01-06T12:00:00.000Z', ends_at: '2027-01-06T13:00:00.000Z' },
      { starts_at: '2027-01-07T12:00:00.000Z', ends_at: '2027-01-07T12:15:00.000Z' },
    ]);
  });

  it('a schedule past its ends_at has no windows', () => {
    const weekdays = schedule('UTC', { days: ['mon'], start_time: '12:00', end_time: '13:00' });
    expect(windowsAfter(weekdays, { ends_at: '2027-01-01T00:00:00.000Z' }, at('2027-02-01T00:00:00Z'))).toEqual([]);
  });
});

describe('recurringScheduleSchema: each bad schedule names its field', () => {
  const window = { days: ['mon'], start_time: '10:00', end_time: '14:00' };
  const issue = (input: unknown) => {
    const result = recurringScheduleSchema.safeParse(input);
    if (result.success) throw new Error('expected a validation error');
    return result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  };

  it.each([
    ['an unknown zone', { time_zone: 'Mars/Olympus_Mons', weekly: [window] }, 'time_zone', 'Must be an IANA time zone, such as America/New_York'],
    ['no windows', { time_zone: 'UTC', weekly: [] }, 'weekly', 'Must have at least one window'],
    ['empty days', { time_zone: 'UTC', weekly: [{ ...window, days: [] }] }, 'weekly.0.days', 'Must name at least one day'],
    ['an unknown day', { time_zone: 'UTC', weekly: [{ ...window, days: ['mon', 'funday'] }] }, 'weekly.0.days.1', undefined],
    ['a malformed start time', { time_zone: 'UTC', weekly: [{ ...window, start_time: '9:00' }] }, 'weekly.0.start_time', 'Must be a time of day as HH:MM, from 00:00 to 23:59'],
    ['an impossible end time', { time_zone: 'UTC', weekly: [{ ...window, end_time: '24:00' }] }, 'weekly.0.end_time', 'Must be a time of day as HH:MM, from 00:00 to 23:59'],
    ['equal times', { time_zone: 'UTC', weekly: [{ ...window, end_time: '10:00' }] }, 'weekly.0.end_time', 'Must differ from start_time'],
    ['overlapping windows', { time_zone: 'UTC', weekly: [window, { days: ['mon'], start_time: '13:59', end_time: '15:00' }] }, 'weekly.1', 'Overlaps another window of this schedule'],
    [
      "Sunday night's window running into Monday's",
      {
        time_zone: 'UTC',
        weekly: [
          { days: ['mon'], start_time: '00:30', end_time: '02:00' },
          { days: ['sun'], start_time: '23:00', end_time: '01:00' },
        ],
      },
      'weekly.1',
      'Overlaps another window of this schedule',
    ],
    ['one day named twice', { time_zone: 'UTC', weekly: [{ ...window, days: ['mon', 'mon'] }] }, 'weekly.0', 'Overlaps another window of this schedule'],
    [
      'more than 28 windows',
      { time_zone: 'UTC', weekly: ['01', '03', '05', '07', '09'].map((h) => ({ days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat'], start_time: `${h}:00`, end_time: `${h}:30` })) },
      'weekly',
      'Must have at most 28 windows (each day of an entry is one)',
    ],
  ])('%s', (_name, input, path, message) => {
    const [first] = issue(input);
    expect(first?.path).toBe(path);
    if (message !== undefined) expect(first?.message).toBe(message);
  });

  it('takes back-to-back windows and exactly 28 windows', () => {
    expect(recurringScheduleSchema.safeParse({ time_zone: 'UTC', weekly: [window, { days: ['mon'], start_time: '14:00', end_time: '15:00' }] }).success).toBe(true);
    const four = ['01', '03', '05', '07'].map((h) => ({ days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], start_time: `${h}:00`, end_time: `${h}:30` }));
    expect(recurringScheduleSchema.safeParse({ time_zone: 'UTC', weekly: four }).success).toBe(true);
  });
});
