import { ConflictError, InvalidInputError } from '../../lib/errors';
import { type RetryPolicy, oneAtATime, retry } from '../../lib/retry';

const policy: RetryPolicy = { retryable: (e) => e instanceof ConflictError, maxAttempts: 4, budgetMs: 60_000, baseDelayMs: 10, maxDelayMs: 40 };
const noWait = async () => {};

describe('retry', () => {
  it('runs the work again after a retryable failure, until it succeeds', async () => {
    let runs = 0;
    const waits: number[] = [];
    const result = await retry(
      policy,
      async (attempt) => {
        runs++;
        if (attempt < 3) throw new ConflictError();
        return 'done';
      },
      async (ms) => waits.push(ms),
    );
    expect(result).toBe('done');
    expect(runs).toBe(3);
    // Full jitter: each wait is below base * 2^(attempt - 1), capped.
    expect(waits[0]).toBeLessThan(10);
    expect(waits[1]).toBeLessThan(20);
  });

  it('lets an error the policy does not retry through at once', async () => {
    let runs = 0;
    const failing = retry(
      policy,
      async () => {
        runs++;
        throw new InvalidInputError('bad');
      },
      noWait,
    );
    await expect(failing).rejects.toBeInstanceOf(InvalidInputError);
    expect(runs).toBe(1);
  });

  it('gives up after maxAttempts with the last error', async () => {
    let runs = 0;
    const failing = retry(
      policy,
      async () => {
        runs++;
        throw new ConflictError(`run ${runs}`);
      },
      noWait,
    );
    await expect(failing).rejects.toThrow('run 4');
  });

  it('starts no run past its time budget', async () => {
    let runs = 0;
    const failing = retry(
      { ...policy, budgetMs: 0 },
      async () => {
        runs++;
        throw new ConflictError();
      },
      noWait,
    );
    await expect(failing).rejects.toBeInstanceOf(ConflictError);
    expect(runs).toBe(1);
  });
});

describe('oneAtATime', () => {
  it('runs work for one key in arrival order, one at a time, and other keys alongside', async () => {
    const turns = oneAtATime();
    const log: string[] = [];
    let running = 0;
    let most = 0;
    const job = (key: string, name: string, fail = false) =>
      turns(key, async () => {
        running++;
        most = Math.max(most, running);
        await new Promise((done) => setImmediate(done));
        log.push(name);
        running--;
        if (fail) throw new Error(name);
        return name;
      });
    const results = await Promise.allSettled([job('a', 'a1'), job('a', 'a2', true), job('a', 'a3'), job('b', 'b1')]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect(log.filter((n) => n.startsWith('a'))).toEqual(['a1', 'a2', 'a3']);
    expect(most).toBe(2);
  });
});
