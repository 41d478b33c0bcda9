import type { AccessCodeRecord } from '../access-codes/schemas';

/*
 * One PIN passing between stays that do not overlap: the lock must never hold it twice, and a
 * lock that refuses duplicates (most do) must never be asked to. A code goes onto the lock only
 * once every other code holding its PIN is off it: those on the lock, or on their way to it,
 * and those whose stay comes first. Two codes neither of which is on the lock never wait for
 * each other: only the later one waits.
 */

/** The code may be on the lock: it was seen there, or a call about it is on its way or being retried. */
export const mayBeOnLock = (r: AccessCodeRecord) => r.was_on_lock === true || r.access_code.status === 'set' || r.access_code.is_scheduled_on_device || r.sync !== undefined;

const startsBefore = (a: AccessCodeRecord, b: AccessCodeRecord) => (a.access_code.starts_at ?? '') < (b.access_code.starts_at ?? '');

/** The other codes holding the PIN that `record` must wait for before it goes onto the lock. */
export function pinBlockers(record: AccessCodeRecord, samePin: readonly AccessCodeRecord[]): AccessCodeRecord[] {
  const id = record.access_code.access_code_id;
  return samePin.filter((other) => other.access_code.access_code_id !== id && other.access_code.code === record.access_code.code && (mayBeOnLock(other) || startsBefore(other, record)));
}

/**
 * When a code waiting for its PIN looks again: when the first of its blockers' stays ends (it
 * comes off the lock then), or after `verifyAfterMs` once that time is past; never after its own end.
 */
export function handoverCheckAt(record: AccessCodeRecord, blockers: readonly AccessCodeRecord[], verifyAfterMs: number, now: Date): string {
  const soonest = now.getTime() + verifyAfterMs;
  const ends = blockers.flatMap((b) => (b.access_code.ends_at === undefined ? [] : [Date.parse(b.access_code.ends_at)]));
  const firstEnd = ends.length === 0 ? soonest : Math.min(...ends);
  const own = record.access_code.ends_at === undefined ? Number.POSITIVE_INFINITY : Date.parse(record.access_code.ends_at);
  return new Date(Math.min(Math.max(soonest, firstEnd), Math.max(soonest, own))).toISOString();
}
