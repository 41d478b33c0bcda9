import { IdempotencyKeyInUseError } from '../errors';
import { heldBy, mayTake, runningRecord } from '../idempotency/claims';
import type { IdempotencyKeyRecord } from '../idempotency/schemas';
import { sealAnswer } from '../idempotency/seal';
import { type Written, currentUnitOfWork } from '../idempotency/unit-of-work';
import type { IdempotencyKeyRepository } from '../ports';
import { copy } from './memory-copy';

/**
 * Idempotency keys in memory, with the DynamoDB adapter's semantics. `commitPending` is the
 * key's share of a store write: the memory stores call it after their own checks and before
 * changing anything, as the key's condition is part of the DynamoDB transaction.
 */
export function memoryIdempotencyKeys() {
  const records = new Map<string, IdempotencyKeyRecord>();
  const keyOf = (workspaceId: string, key: string) => `${workspaceId}|${key}`;

  const repository: IdempotencyKeyRepository = {
    async claim(claim) {
      const existing = records.get(keyOf(claim.workspaceId, claim.key));
      if (existing !== undefined && !mayTake(existing, claim)) return heldBy(copy(existing), claim);
      records.set(keyOf(claim.workspaceId, claim.key), runningRecord(claim));
      return { kind: 'claimed' };
    },
    async keepAnswer(claim, answer) {
      const existing = records.get(keyOf(claim.workspaceId, claim.key));
      if (existing?.token === claim.token) records.set(keyOf(claim.workspaceId, claim.key), { ...existing, state: 'answered', answer: sealAnswer(claim, answer) });
    },
    async release(claim) {
      const existing = records.get(keyOf(claim.workspaceId, claim.key));
      if (existing?.token === claim.token && existing.state === 'running') records.delete(keyOf(claim.workspaceId, claim.key));
    },
  };

  /**
   * Commits the running request's key with the answer of its write (declared, or implied by
   * `written`, as the DynamoDB transaction does); IdempotencyKeyInUseError if it lost the key.
   */
  function commitPending(written?: Written): void {
    const unit = currentUnitOfWork();
    const claim = unit?.pending();
    const answer = unit?.answerFor(written);
    if (unit === undefined || claim === undefined || answer === undefined) return;
    const existing = records.get(keyOf(claim.workspaceId, claim.key));
    if (existing?.token !== claim.token || existing.state !== 'running') throw new IdempotencyKeyInUseError();
    records.set(keyOf(claim.workspaceId, claim.key), { ...existing, state: 'committed', answer: sealAnswer(claim, answer) });
    unit.markCommitted();
  }

  return { repository, commitPending };
}
