import { createHash, randomUUID } from 'node:crypto';
import stringify from 'safe-stable-stringify';
import * as z from 'zod';
import { AppError, IdempotencyKeyInUseError, IdempotencyKeyReusedError, InvalidInputError } from '../errors';
import type { KeptAnswer } from '../idempotency/schemas';
import { type KeyClaim, UnitOfWork, runInUnitOfWork } from '../idempotency/unit-of-work';
import type { Clock, IdempotencyKeyRepository } from '../ports';
import type { RequestHeaders } from '../principals/principal';

/** The header as API Gateway and Node hand it over (lower case). */
export const idempotencyKeyHeader = 'idempotency-key';
/** An Idempotency-Key: 1 to 255 printable ASCII characters. */
export const idempotencyKeySchema = z.string().regex(/^[\x20-\x7E]{1,255}$/);

/** The request's Idempotency-Key, if it sent one; invalid_input naming the header when it is not 1 to 255 printable ASCII characters. */
export function readIdempotencyKey(headers: RequestHeaders): string | undefined {
  const value = headers[idempotencyKeyHeader];
  if (value === undefined) return undefined;
  if (!idempotencyKeySchema.safeParse(value).success) throw InvalidInputError.forField('Idempotency-Key', 'Must be 1 to 255 printable ASCII characters');
  return value;
}

/**
 * What makes two requests the same request: the route and its parameters, with keys in any
 * order, from the query or the body (so a 1.x client's POST and a 2.x client's GET, PATCH or
 * DELETE of one request are one request). The verb is not part of it: a route's verbs are one action.
 */
export const requestFingerprint = (path: string, input: Record<string, unknown>): string =>
  createHash('sha256')
    .update(stringify({ route: path, input }) ?? '')
    .digest('hex');

/** An answer given again for a repeated key: the HTTP layer sends it as kept, marked `idempotent-replayed`. */
export class ReplayedAnswer {
  constructor(readonly answer: KeptAnswer) {}
}

/** An error's answer, when it is kept: any that is not a fault (5xx) or the key being in use. */
function keptError(error: unknown): KeptAnswer | undefined {
  if (!(error instanceof AppError) || error.statusCode >= 500 || error instanceof IdempotencyKeyInUseError) return undefined;
  return { status: error.statusCode, body: { error: { type: error.type, message: error.message, ...error.extra }, ok: false } };
}

export interface IdempotentRequest {
  workspaceId: string;
  key: string;
  path: string;
  input: Record<string, unknown>;
}

/**
 * Runs a write under its Idempotency-Key: the first request with a key runs (its first store
 * transaction commits the key, see UnitOfWork) and its answer is kept; the same request again
 * gets the kept answer; another request with the key gets 422; while the first runs, 409.
 */
export async function underIdempotencyKey(deps: { idempotencyKeys: IdempotencyKeyRepository; clock: Clock }, request: IdempotentRequest, run: () => Promise<object>): Promise<object> {
  const claim: KeyClaim = {
    workspaceId: request.workspaceId,
    key: request.key,
    fingerprint: requestFingerprint(request.path, request.input),
    token: randomUUID(),
    now: deps.clock.now().toISOString(),
  };
  const found = await deps.idempotencyKeys.claim(claim);
  if (found.kind === 'reused') throw new IdempotencyKeyReusedError();
  if (found.kind === 'in_use') throw new IdempotencyKeyInUseError();
  if (found.kind === 'replay') return new ReplayedAnswer(found.answer);
  const unit = new UnitOfWork(claim);
  try {
    const result = await runInUnitOfWork(unit, run);
    unit.close();
    await deps.idempotencyKeys.keepAnswer(claim, { status: 200, body: JSON.parse(JSON.stringify({ ...result, ok: true })) });
    return result;
  } catch (error) {
    unit.close();
    const kept = keptError(error);
    if (kept) await deps.idempotencyKeys.keepAnswer(claim, kept);
    // A fault after the write committed keeps the answer the write implies; before it, a retry runs again.
    else if (!unit.committed && !(error instanceof IdempotencyKeyInUseError)) await deps.idempotencyKeys.release(claim);
    throw error;
  }
}
