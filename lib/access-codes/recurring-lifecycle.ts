import { type LifecycleSettings, leadMs } from './lifecycle';
import { type ScheduleWindow, inWeeklyWindow, upcomingWindowCount, windowsAfter } from '../devices/weekly-schedule';
import type { AccessCode } from './schemas';

const ms = (iso: string) => Date.parse(iso);

const boundsOf = (code: Pick<AccessCode, 'starts_at' | 'ends_at'>) => ({ starts_at: code.starts_at, ends_at: code.ends_at });

/**
 * How a lock keeps a recurring code: the whole schedule (a lock that schedules by weekday),
 * each window as a time-bound code loaded ahead (a lock that keeps a window), or each window
 * just in time.
 */
export type RecurringMode = 'weekly' | 'window_native' | 'window_just_in_time';

/** The window a recurring code is in or waits for, and from when the lock should hold it for that window. */
export interface WindowPlan {
  window: ScheduleWindow;
  inWindow: boolean;
  /** When the lock starts holding the code for this window (ms). */
  loadAt: number;
}

/**
 * The current or next window of a recurring code, and when it goes onto a lock that does not
 * keep the schedule: its lead before the window, but never before the middle of the gap since
 * the previous window, so the lock is seen without the code between windows.
 */
export function windowPlan(code: AccessCode, mode: Exclude<RecurringMode, 'weekly'>, settings: LifecycleSettings, now: Date): WindowPlan | undefined {
  const schedule = code.recurring_schedule;
  if (schedule === undefined) return undefined;
  const [window] = windowsAfter(schedule, boundsOf(code), now, 1);
  if (window === undefined) return undefined;
  const start = ms(window.starts_at);
  const lead = mode === 'window_native' ? leadMs(true, settings) : settings.recurringLeadSeconds * 1000;
  let loadAt = start - lead;
  const [before] = windowsAfter(schedule, boundsOf(code), new Date(loadAt), 1);
  if (before !== undefined && before.starts_at < window.starts_at) loadAt = Math.floor((ms(before.ends_at) + start) / 2);
  return { window, inWindow: start <= now.getTime(), loadAt };
}

/** Whether a recurring code is in one of its windows at `now`. */
export function inRecurringWindow(code: AccessCode, now: Date): boolean {
  return code.recurring_schedule !== undefined && inWeeklyWindow(code.recurring_schedule, boundsOf(code), now);
}

/** When a recurring code's current or next window ends: a code given up on in one window is tried again for the next. */
export function windowEnd(code: AccessCode, now: Date): string | undefined {
  if (code.recurring_schedule === undefined) return undefined;
  return windowsAfter(code.recurring_schedule, boundsOf(code), now, 1)[0]?.ends_at;
}

/** The code with its upcoming windows as of `now` (a code without a schedule has none). */
export function withUpcomingWindows(code: AccessCode, now: Date): AccessCode {
  if (code.recurring_schedule === undefined) {
    if (code.upcoming_windows === undefined) return code;
    const { upcoming_windows: _gone, ...plain } = code;
    return plain;
  }
  return { ...code, upcoming_windows: windowsAfter(code.recurring_schedule, boundsOf(code), now, upcomingWindowCount) };
}
