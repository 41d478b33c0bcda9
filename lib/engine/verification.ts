import { ConflictError } from '../errors';
import type { Deps } from '../ports';
import type { AccessCode, AccessCodeRecord } from '../access-codes/schemas';

/**
 * Seam's warning enum is closed, so the stale-verification warning uses its catch-all code;
 * the message says what it is.
 */
export const notVerifiedWarningCode = 'unknown_issue_with_access_code';
const notVerifiedMessage =
  'Latchkey has not seen this code on the device as it left it for more than two sweep intervals (the lock could not be read): it may have been changed or removed at the lock.';

const isNotVerified = (w: AccessCode['warnings'][number]) => w.warning_code === notVerifiedWarningCode && w.message === notVerifiedMessage;

/** The code's warnings without the stale-verification one (the lock was just seen holding it). */
export const withoutNotVerified = (code: AccessCode) => code.warnings.filter((w) => !isNotVerified(w));

type VerifyDeps = Pick<Deps, 'accessCodes'>;

async function write(deps: VerifyDeps, record: AccessCodeRecord, code: AccessCode): Promise<void> {
  try {
    await deps.accessCodes.update({ ...record, version: record.version + 1, access_code: code }, record);
  } catch (error) {
    // Written meanwhile: the other writer's version stands; the next sweep looks again.
    if (!(error instanceof ConflictError)) throw error;
  }
}

/**
 * A sweep saw the lock holding the code as Latchkey left it. One conditional update, and only
 * when the stored time is older than half an interval (or a stale warning is to go), so a
 * code's verification is never more than about one and a half intervals old.
 */
export async function markVerified(deps: VerifyDeps, record: AccessCodeRecord, now: Date, intervalMs: number): Promise<void> {
  const code = record.access_code;
  const warned = code.warnings.some(isNotVerified);
  const fresh = code.last_verified_at !== undefined && Date.parse(code.last_verified_at) > now.getTime() - intervalMs / 2;
  if (fresh && !warned) return;
  await write(deps, record, { ...code, last_verified_at: now.toISOString(), warnings: withoutNotVerified(code) });
}

/**
 * A sweep could not read the lock: a `set` code last verified more than two intervals ago (or
 * never) gets the stale-verification warning, once.
 */
export async function markNotVerified(deps: VerifyDeps, record: AccessCodeRecord, now: Date, intervalMs: number): Promise<void> {
  const code = record.access_code;
  if (code.status !== 'set' || record.offline || code.warnings.some(isNotVerified)) return;
  if (code.last_verified_at !== undefined && Date.parse(code.last_verified_at) >= now.getTime() - 2 * intervalMs) return;
  const warning = { warning_code: notVerifiedWarningCode, message: notVerifiedMessage, created_at: now.toISOString() };
  await write(deps, record, { ...code, warnings: [...code.warnings, warning] });
}
