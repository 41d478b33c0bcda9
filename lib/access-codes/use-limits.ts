import { InvalidInputError } from '../errors';
import type { AccessCode, AccessCodeRecord } from './schemas';

/** What a client asks of a code's use limit, on create or update. */
interface UseLimitInput {
  max_uses?: number | undefined;
  is_one_time_use?: boolean | undefined;
}

/**
 * The use limit an online code takes from a request: `max_uses`, or 1 for `is_one_time_use`
 * (Seam accepts that flag only on offline codes; on an online code Latchkey counts entries).
 * Undefined when the request sets none. On update, a limit at or below the code's use count is refused.
 */
export function requestedMaxUses(input: UseLimitInput, offline: boolean, current?: Pick<AccessCode, 'use_count'>): number | undefined {
  if (offline) {
    if (input.max_uses !== undefined) throw InvalidInputError.forField('max_uses', 'Offline access codes cannot have a use limit; use is_one_time_use');
    return undefined;
  }
  const limit = input.max_uses ?? (input.is_one_time_use === true ? 1 : undefined);
  const used = current?.use_count ?? 0;
  if (limit !== undefined && limit <= used) throw InvalidInputError.forField('max_uses', `Must be more than the code's use_count (${used})`);
  return limit;
}

/** What one entry at the keypad does to a code. */
export type EntryCount =
  /** The entry counts: the code as it now is, and whether it was its first or its last. */
  | { kind: 'counted'; next: AccessCodeRecord; firstUse: boolean; limitReached: boolean }
  /** The code has no uses left: the entry is not counted (the limit is never exceeded by counting). */
  | { kind: 'used_up' };

/** Whether a code has used up its limit. */
export const isUsedUp = (code: Pick<AccessCode, 'max_uses' | 'use_count'>): boolean => code.max_uses !== undefined && (code.use_count ?? 0) >= code.max_uses;

/**
 * The warning a used-up code shows while it is still on the lock (until its removal lands,
 * however long the lock stays offline). Seam's schema accepts only its own warning codes, so it
 * is Seam's `being_deleted`, with a message naming the use limit as the reason.
 */
export const limitReachedWarning = 'being_deleted';
const limitReachedMessage = (maxUses: number) => `Use limit reached (${maxUses} of ${maxUses} uses): the access code is still on the device until its removal reaches it`;

/**
 * Counts an entry of a code at `occurredAt`. The entry that reaches the limit starts the
 * code's removal at once (`removing`, due now), as a delete does.
 */
export function countEntry(record: AccessCodeRecord, occurredAt: string, now: Date): EntryCount {
  const code = record.access_code;
  if (isUsedUp(code)) return { kind: 'used_up' };
  const useCount = (code.use_count ?? 0) + 1;
  const first = code.first_used_at;
  const next: AccessCode = {
    ...code,
    use_count: useCount,
    first_used_at: first === undefined || occurredAt < first ? occurredAt : first,
    last_used_at: code.last_used_at === undefined || occurredAt > code.last_used_at ? occurredAt : code.last_used_at,
  };
  const limitReached = code.max_uses !== undefined && useCount >= code.max_uses;
  const removing = limitReached && code.status !== 'removing';
  const nowIso = now.toISOString();
  return {
    kind: 'counted',
    firstUse: useCount === 1,
    limitReached,
    next: {
      ...record,
      version: record.version + 1,
      access_code: removing
        ? {
            ...next,
            status: 'removing',
            pending_mutations: [{ mutation_code: 'deleting', message: 'Removing the access code from the device: it reached its use limit', created_at: nowIso }],
            warnings: [...next.warnings.filter((w) => w.warning_code !== limitReachedWarning), { warning_code: limitReachedWarning, message: limitReachedMessage(useCount), created_at: nowIso }],
          }
        : next,
      ...(removing && { due_at: nowIso }),
    },
  };
}
