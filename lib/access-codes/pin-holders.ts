import * as z from 'zod';
import { DuplicateAccessCodeError } from '../errors';
import { type OccupiedSpan, occupiedSpan, spansOverlap } from './occupied-span';
import type { AccessCode } from './schemas';

/**
 * A code holding a PIN on its device over a span of time. A PIN's holders never overlap: one
 * PIN serves stays that follow each other, and an ongoing code (or an unmanaged one, which has
 * no span) holds it alone.
 */
export const pinHolderSchema = z.object({ access_code_id: z.string(), starts_at: z.string().optional(), ends_at: z.string().optional() });
export type PinHolder = z.infer<typeof pinHolderSchema>;

/** What a code holds its PIN for. */
export const holderOf = (code: Pick<AccessCode, 'access_code_id' | 'type' | 'starts_at' | 'ends_at'>): PinHolder => ({ access_code_id: code.access_code_id, ...occupiedSpan(code) });

/** The holders with `holder` among them (in place of its own earlier span); DuplicateAccessCodeError when another holder's span overlaps it. */
export function withHolder(holders: readonly PinHolder[], holder: PinHolder): PinHolder[] {
  const others = withoutHolder(holders, holder.access_code_id);
  if (others.some((h) => spansOverlap(h, holder))) throw new DuplicateAccessCodeError();
  return [...others, holder];
}

export const withoutHolder = (holders: readonly PinHolder[], accessCodeId: string): PinHolder[] => holders.filter((h) => h.access_code_id !== accessCodeId);

/** Whether a PIN with these holders is taken during `span` (at any time when no span is given). */
export const heldDuring = (holders: readonly PinHolder[], span?: OccupiedSpan): boolean => (span === undefined ? holders.length > 0 : holders.some((h) => spansOverlap(h, span)));

/** Whether a code's PIN claim changes from `previous` to `next`: another PIN, device or span. */
export function claimMoves(previous: AccessCode, next: AccessCode): boolean {
  const [a, b] = [holderOf(previous), holderOf(next)];
  return previous.code !== next.code || previous.device_id !== next.device_id || a.starts_at !== b.starts_at || a.ends_at !== b.ends_at;
}
