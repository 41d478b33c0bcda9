import * as z from 'zod';

/** How long a key's answer is kept: a retry within it gets the same answer. */
export const idempotencyKeyLifetimeMs = 24 * 60 * 60 * 1000;
/** How long a request holds its key before a retry may assume it died without writing (past any function's timeout). */
export const idempotencyLeaseMs = 60 * 1000;

/** An answer as it was given: status and the JSON body. */
export const keptAnswerSchema = z.object({ status: z.number().int(), body: z.record(z.string(), z.unknown()) });
export type KeptAnswer = z.infer<typeof keptAnswerSchema>;

/**
 * One idempotency key of a workspace. `running` while its first request runs; `committed` once
 * that request's stored write carried it (with the answer that write implies, for a process that
 * died before answering); `answered` with the answer given.
 */
export const idempotencyKeyRecordSchema = z.object({
  workspace_id: z.string(),
  /** SHA-256 of the Idempotency-Key (the key itself is not stored). */
  key_digest: z.string(),
  fingerprint: z.string(),
  /** The request holding the key (one random value per request). */
  token: z.string(),
  state: z.enum(['running', 'committed', 'answered']),
  /** While `running`: until when the key is held. */
  lease_until: z.string(),
  /** When the key is forgotten (the store's TTL removes it some time later). */
  expires_at: z.string(),
  /** The kept answer, sealed under the Idempotency-Key (seal.ts). */
  answer: z.string().optional(),
});
export type IdempotencyKeyRecord = z.infer<typeof idempotencyKeyRecordSchema>;

/** What a request learns when it presents its key. */
export type KeyClaimResult = { kind: 'claimed' } | { kind: 'replay'; answer: KeptAnswer } | { kind: 'reused' } | { kind: 'in_use' };
