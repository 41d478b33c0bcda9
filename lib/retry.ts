import { setTimeout as sleep } from 'node:timers/promises';
import { ConflictError, GeneratedPinTakenError } from './errors';

/** When to run a failed piece of work again, and how long to wait before each run. */
export interface RetryPolicy {
  /** Whether this failure may succeed when the work runs again. */
  retryable(error: unknown): boolean;
  /** Runs in all, the first included. */
  maxAttempts: number;
  /** No run starts once this much time has passed since the first began. */
  budgetMs: number;
  /** Upper bound of the first wait; doubled per run up to maxDelayMs, then drawn at random below it (full jitter). */
  baseDelayMs: number;
  maxDelayMs: number;
}

/** A batch read left some keys unread (throttling): read those again. */
export class UnprocessedKeysError extends Error {
  constructor(readonly remaining: number) {
    super(`${remaining} keys left unprocessed`);
    this.name = 'UnprocessedKeysError';
  }
}

/**
 * The retry policies in use, named at each call site. Every one retries a failure that wrote
 * nothing: a conditional write that lost a race, a transaction cancelled by another, a batch
 * read cut short.
 */
export const retryPolicies = {
  /**
   * A read-modify-write of one code lost the race on its version to another writer: read it
   * again and apply the request to what is there now, so independent concurrent requests all
   * apply, one after another, the last one winning.
   */
  versionConflict: {
    retryable: (error) => error instanceof ConflictError,
    maxAttempts: 100,
    // Inside the HTTP functions' 15 s timeout.
    budgetMs: 10_000,
    // Writers of one code in one process take turns (takeTurns), so this settles races between
    // processes: 25 ms doubling up to 1 s spreads a few dozen of them over a few seconds.
    baseDelayMs: 25,
    maxDelayMs: 1_000,
  },
  /**
   * The lifecycle engine lost the race on a code's version: the next read shows what the
   * other writer did, and a step that keeps losing is taken again on the next tick.
   */
  engineConflict: {
    retryable: (error) => error instanceof ConflictError,
    maxAttempts: 3,
    budgetMs: 5_000,
    baseDelayMs: 10,
    maxDelayMs: 100,
  },
  /** A create lost the race for the PIN it generated, or for a new common code key: pick again. */
  pinRace: {
    retryable: (error) => error instanceof GeneratedPinTakenError || error instanceof ConflictError,
    maxAttempts: 3,
    budgetMs: 5_000,
    baseDelayMs: 5,
    maxDelayMs: 50,
  },
  /** A transaction was cancelled only because a concurrent one touched the same items: nothing was written, run it as it is. */
  transactionConflict: {
    retryable: (error) => error instanceof TransactionContentionError,
    maxAttempts: 5,
    budgetMs: 2_000,
    baseDelayMs: 25,
    maxDelayMs: 1_000,
  },
  /**
   * A PIN claim changed between reading it and writing it (another code took or left the PIN):
   * read it again and check the span again. Codes taking one PIN over disjoint spans at once
   * all get it, one per round, so this allows a few dozen rounds.
   */
  pinClaimMoved: {
    retryable: (error) => error instanceof PinClaimMovedError,
    maxAttempts: 40,
    budgetMs: 10_000,
    baseDelayMs: 10,
    maxDelayMs: 200,
  },
  /**
   * A provider call's turn lost the race on its grants' version to another process taking one:
   * read the grants again. Each round grants one racer, and once the limit is reached the rest
   * are refused on their read, so a limit of a few dozen calls settles in as many rounds.
   */
  pacingConflict: {
    retryable: (error) => error instanceof ConflictError,
    maxAttempts: 60,
    budgetMs: 5_000,
    baseDelayMs: 5,
    maxDelayMs: 100,
  },
  /** BatchGetItem returned unprocessed keys (throttling): read those again. */
  unprocessedKeys: {
    retryable: (error) => error instanceof UnprocessedKeysError,
    maxAttempts: 6,
    budgetMs: 5_000,
    baseDelayMs: 25,
    maxDelayMs: 1_000,
  },
  /** A write to a lock's shadow, conditioned on the version read, lost to another writer (the agent or another step): read the shadow again. */
  shadowConflict: {
    retryable: (error) => error instanceof ShadowChangedError,
    maxAttempts: 5,
    budgetMs: 2_000,
    baseDelayMs: 10,
    maxDelayMs: 100,
  },
} as const satisfies Record<string, RetryPolicy>;

/** A lock's shadow changed between reading it and writing it: nothing was written. */
export class ShadowChangedError extends Error {
  constructor() {
    super('The lock shadow changed while a slot was written');
    this.name = 'ShadowChangedError';
  }
}

/** A PIN claim was no longer as read when a transaction wrote it: nothing was written. */
export class PinClaimMovedError extends Error {
  constructor() {
    super('The PIN claim changed while a code was written');
    this.name = 'PinClaimMovedError';
  }
}

/** A transaction cancelled by contention alone (DynamoDB's TransactionConflict): it wrote nothing. */
export class TransactionContentionError extends Error {
  constructor() {
    super('Transaction cancelled by a concurrent transaction');
    this.name = 'TransactionContentionError';
  }
}

/**
 * Runs `work` until it succeeds, fails with an error `policy` does not retry, or the policy's
 * attempts or time budget run out; then the last error stands. Waits with exponential
 * backoff and full jitter between runs, so that writers racing for one item spread out.
 */
export async function retry<T>(policy: RetryPolicy, work: (attempt: number) => Promise<T>, wait: (ms: number) => Promise<unknown> = sleep): Promise<T> {
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await work(attempt);
    } catch (error) {
      if (!policy.retryable(error) || attempt >= policy.maxAttempts) throw error;
      const delay = Math.random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
      if (Date.now() + delay - started >= policy.budgetMs) throw error;
      await wait(delay);
    }
  }
}

/**
 * Runs work one at a time per key within this process, in arrival order; different keys run
 * in parallel. Requests on one code that reach the same process take turns instead of racing,
 * so the version retry only has to settle races between processes (Lambda instances).
 */
export function oneAtATime(): <T>(key: string, work: () => Promise<T>) => Promise<T> {
  const tails = new Map<string, Promise<unknown>>();
  return (key, work) => {
    const result = (tails.get(key) ?? Promise.resolve()).then(work, work);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    tails.set(key, tail);
    void tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key);
    });
    return result;
  };
}

const writersByStore = new WeakMap<object, ReturnType<typeof oneAtATime>>();

/**
 * Makes the writers of one access code take turns within this process. Turns are kept per
 * store instance, which is one per process (and per simulated process in tests).
 */
export function takeTurns<T>(store: object, workspaceId: string, accessCodeId: string, work: () => Promise<T>): Promise<T> {
  let writers = writersByStore.get(store);
  if (writers === undefined) {
    writers = oneAtATime();
    writersByStore.set(store, writers);
  }
  return writers(`${workspaceId}|${accessCodeId}`, work);
}
