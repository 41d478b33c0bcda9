import type { AccessCode } from './schemas';

/** The time a code holds its PIN on its device; an absent bound is open (all time before, or after). */
export interface OccupiedSpan {
  starts_at?: string;
  ends_at?: string;
}

/**
 * The span a code occupies its PIN for: a time-bound code its starts_at-ends_at, an ongoing
 * code all time. A recurring code occupies its whole starts_at-ends_at span (all time without
 * them), not only its windows: between windows the PIN stays its own.
 */
export function occupiedSpan(code: Pick<AccessCode, 'type' | 'starts_at' | 'ends_at'>): OccupiedSpan {
  if (code.type === 'ongoing') return {};
  return { ...(code.starts_at !== undefined && { starts_at: code.starts_at }), ...(code.ends_at !== undefined && { ends_at: code.ends_at }) };
}

/** Whether two spans share a moment; one that ends as the other starts does not. */
export function spansOverlap(a: OccupiedSpan, b: OccupiedSpan): boolean {
  const startsBeforeBEnds = a.starts_at === undefined || b.ends_at === undefined || a.starts_at < b.ends_at;
  const startsBeforeAEnds = b.starts_at === undefined || a.ends_at === undefined || b.starts_at < a.ends_at;
  return startsBeforeBEnds && startsBeforeAEnds;
}
