import middy from '@middy/core';
import { pollDueCodes } from '../lib/access-codes/poll-due-codes';
import { type AppDeps, appDeps } from '../lib/deps';
import { logger } from '../lib/logger';

/**
 * Runs on the EventBridge schedule (and on the local timer): one engine step for every code
 * whose lifecycle work is due. Failed codes stay due and are retried on the next tick.
 */
export const makeHandler = (deps: AppDeps) =>
  middy().handler(async () => {
    const { processed, failed, failures } = await pollDueCodes(deps);
    for (const error of failures.slice(0, 5)) {
      logger.error('lifecycle step failed', { error_name: error instanceof Error ? error.name : 'unknown' });
    }
    if (processed + failed > 0) logger.info('poll', { processed, failed });
    return { processed, failed };
  });

export const handler = makeHandler(appDeps());
