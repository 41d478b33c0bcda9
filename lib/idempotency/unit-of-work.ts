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
  constructor(readonly claim: KeyClaim) {}

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
 * The answer a committed write implies, for a replay after a process that died before answering:
 * the codes it stored and the action attempt it started, under the names the routes answer with.
 */
export function impliedAnswer(written: { access_codes?: readonly object[]; action_attempts?: readonly object[] }): KeptAnswer {
  const codes = written.access_codes ?? [];
  const attempts = written.action_attempts ?? [];
  const body: Record<string, unknown> = {};
  if (codes.length === 1) body.access_code = codes[0];
  if (codes.length > 1) body.access_codes = codes;
  if (attempts.length > 0) body.action_attempt = attempts[0];
  return { status: 200, body: { ...body, ok: true } };
}
