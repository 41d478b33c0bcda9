import { pollDueCodes } from '../../lib/engine/poll-due-codes';
import { AppError } from '../../lib/errors';
import { memoryApp, sandboxWorkspace } from './memory-app';

/** The in-memory application with a sandbox workspace, and a poller tick that moves the clock first. */
export async function codesApp(options: Parameters<typeof memoryApp>[0] = {}) {
  const app = memoryApp(options);
  const ws = await sandboxWorkspace(app.deps);
  /** Moves the clock by `ms` and runs one sweep of the poller, `times` over. */
  const tick = async (times = 1, ms = 1000) => {
    for (let i = 0; i < times; i++) {
      app.clock.advance(ms);
      await pollDueCodes(app.deps);
    }
  };
  return { ...app, ws, tick };
}

/** The Seam error type a use case failed with, and the fields its validation errors name; a success fails the test. */
export const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => {
      if (!(e instanceof AppError)) throw e;
      return { type: e.type, fields: Object.keys((e.extra.validation_errors as object | undefined) ?? {}).filter((k) => k !== '_errors') };
    },
  );

/** The Seam error type a use case failed with; a success fails the test. */
export const failureType = async (promise: Promise<unknown>) => (await failure(promise)).type;
