/**
 * Polls `probe` every 200 ms until `done` holds for its value, as a Seam client waiting for a
 * lock would; gives up after 15 s, showing the last value. The local server runs on the real
 * clock, so waiting real time is the only way to see its lifecycle; no test asserts timings.
 */
export async function pollUntil<T>(what: string, probe: () => Promise<T>, done: (value: T) => boolean, { intervalMs = 200, timeoutMs = 15_000 } = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() >= deadline) {
      throw new Error(`Gave up after ${timeoutMs} ms waiting for ${what}. Last value:\n${JSON.stringify(value, null, 2)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** The error a promise rejects with; fails when it resolves. */
export async function rejectionOf(promise: PromiseLike<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('Expected the request to fail, but it succeeded');
}

/** A get that may answer 404: the value, or the error the client threw. */
export const settle = <T>(request: PromiseLike<T>): Promise<{ value: T } | { error: unknown }> =>
  Promise.resolve(request).then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
