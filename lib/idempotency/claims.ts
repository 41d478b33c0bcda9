import { keyDigest, openAnswer } from './seal';
import type { KeyClaim } from './unit-of-work';
import { type IdempotencyKeyRecord, type KeyClaimResult, idempotencyKeyLifetimeMs, idempotencyLeaseMs } from './schemas';

/** The record a request writes when it takes a key. */
export function runningRecord(claim: KeyClaim): IdempotencyKeyRecord {
  const at = Date.parse(claim.now);
  return {
    workspace_id: claim.workspaceId,
    key_digest: keyDigest(claim.key),
    fingerprint: claim.fingerprint,
    token: claim.token,
    state: 'running',
    lease_until: new Date(at + idempotencyLeaseMs).toISOString(),
    expires_at: new Date(at + idempotencyKeyLifetimeMs).toISOString(),
  };
}

/**
 * Whether a request may take a key that `existing` holds: yes when there is none, it expired,
 * or its request held it past its lease without committing (it died before writing).
 */
export const mayTake = (existing: IdempotencyKeyRecord | undefined, claim: KeyClaim): boolean =>
  existing === undefined || existing.expires_at <= claim.now || (existing.state === 'running' && existing.lease_until <= claim.now && existing.fingerprint === claim.fingerprint);

/** What a request that could not take the key is told, from the record holding it. */
export function heldBy(existing: IdempotencyKeyRecord, claim: KeyClaim): KeyClaimResult {
  if (existing.fingerprint !== claim.fingerprint) return { kind: 'reused' };
  // A committed request past its lease died before answering: the answer its write implies stands.
  const answered = existing.state === 'answered' || (existing.state === 'committed' && existing.lease_until <= claim.now);
  return answered && existing.answer !== undefined ? { kind: 'replay', answer: openAnswer(claim, existing.answer) } : { kind: 'in_use' };
}
