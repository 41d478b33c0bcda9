import { AsyncLocalStorage } from 'node:async_hooks';
import type { KeptAnswer } from './schemas';

/** The key a running request holds, as its first stored write commits it. */
export interface KeyClaim {
  workspaceId: string;
  key: string;
  fingerprint: string;
  token: string;
  now: string;
}

/**
 * One request's unit of work under an idempotency key. The first write of the request that
 * stores an item (a store transaction) takes `pending()` into the same transaction, marking the
 * key committed with the answer that write implies; later writes of the request carry nothing.
 * The stores find it through `currentUnitOfWork()`, so use cases pass nothing down.
 */
export class UnitOfWork {
  #state: 'open' | 'committed' | 'closed' = 'open';
  #answer: KeptAnswer | undefined;
  #statedOnly = false;
  constructor(readonly claim: KeyClaim) {}

  /** From now on only a stated answer commits the key (see `holdKeyForStatedAnswer`). */
  holdForStatedAnswer(): void {
    this.#statedOnly = true;
  }

  /** The answer the request gives if its next write commits (see `answerOnCommit`). */
  declare(body: Record<string, unknown>): void {
    if (this.#state === 'open') this.#answer = { status: 200, body: { ...body, ok: true } };
  }

  /**
   * What a transaction commits the key with: the declared answer, or the one a write of codes
   * implies (`written`). Undefined when neither: that write is not the request's effect
   * (clearing an ended session before opening one) and leaves the key running.
   */
  answerFor(written: Written | undefined): KeptAnswer | undefined {
    if (this.#answer !== undefined) return this.#answer;
    return this.#statedOnly || written === undefined ? undefined : impliedAnswer(written);
  }

  /** The claim the next transaction must commit, while none has and the request still runs. */
  pending(): KeyClaim | undefined {
    return this.#state === 'open' ? this.claim : undefined;
  }

  /** The transaction carrying the claim succeeded. */
  markCommitted(): void {
    if (this.#state === 'open') this.#state = 'committed';
  }

  get committed(): boolean {
    return this.#state === 'committed';
  }

  /** The request has answered: work it started in the background commits nothing. */
  close(): void {
    if (this.#state === 'open') this.#state = 'closed';
  }
}

const storage = new AsyncLocalStorage<UnitOfWork>();

export const runInUnitOfWork = <T>(unit: UnitOfWork, run: () => Promise<T>): Promise<T> => storage.run(unit, run);
export const currentUnitOfWork = (): UnitOfWork | undefined => storage.getStore();

/**
 * Says what the request answers (the body before `ok`) if its next store write commits, for a
 * use case whose answer the table cannot rebuild (a new session's token, a new webhook's
 * secret): that write's transaction then commits the key with this answer, sealed. Call it
 * right before the write; without an Idempotency-Key it does nothing.
 */
export const answerOnCommit = (body: Record<string, unknown>): void => currentUnitOfWork()?.declare(body);

/**
 * For a use case of many writes (disconnecting an account: its codes, devices, then the
 * account): its code writes do not commit the key, only a write after `answerOnCommit` does (its
 * last). Until then a process killed midway leaves the key running, and a retry past its lease
 * runs the rest; if it states no answer, the key is kept with the answer after its writes.
 */
export const holdKeyForStatedAnswer = (): void => currentUnitOfWork()?.holdForStatedAnswer();

/** What a store write stored, from which the answer of a request committed by it is implied. */
export interface Written {
  access_codes?: readonly object[];
  action_attempts?: readonly object[];
}

/**
 * The answer a committed write implies, for a replay after a process that died before answering:
 * the codes it stored and the action attempt it started, under the names the routes answer with.
 */
export function impliedAnswer(written: Written): KeptAnswer {
  const codes = written.access_codes ?? [];
  const attempts = written.action_attempts ?? [];
  const body: Record<string, unknown> = {};
  if (codes.length === 1) body.access_code = codes[0];
  if (codes.length > 1) body.access_codes = codes;
  if (attempts.length > 0) body.action_attempt = attempts[0];
  return { status: 200, body: { ...body, ok: true } };
}
