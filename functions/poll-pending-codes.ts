import middy from '@middy/core';
import * as z from 'zod';
import { pollDueCodes } from '../lib/engine/poll-due-codes';
import { dueShardCount } from '../lib/engine/due-shards';
import { type AppDeps, appDeps } from '../lib/deps';
import { engine } from '../lib/wiring/engine';
import { locks } from '../lib/wiring/locks';
import { logger } from '../lib/logger';
import { observed } from '../lib/observability';

/** The schedule's input: the shards this invocation sweeps (all when absent). */
const pollInputSchema = z.looseObject({
  shards: z
    .array(
      z
        .number()
        .int()
        .min(0)
        .max(dueShardCount - 1),
    )
    .min(1)
    .optional(),
});

/** Time kept back from the Lambda timeout to record the last steps and log. */
export const safetyMarginMs = 5000;

/**
 * Runs on the EventBridge schedule (and on the local timer): one engine step for every code
 * whose lifecycle work is due in its shards. Failed or deferred codes stay due and are taken
 * on the next tick.
 */
export const makeHandler = (deps: AppDeps) =>
  middy<unknown>()
    .use(observed())
    .handler(async (event, context) => {
      const { shards } = pollInputSchema.parse(event ?? {});
      const deadline = deps.clock.now().getTime() + context.getRemainingTimeInMillis() - safetyMarginMs;
      const { processed, deferred, failed, failures } = await pollDueCodes(deps, { shards, deadline });
      for (const error of failures.slice(0, 5)) {
        logger.error('lifecycle step failed', { error_name: error instanceof Error ? error.name : 'unknown' });
      }
      if (processed + deferred + failed > 0) logger.info('poll', { shards, processed, deferred, failed });
      return { processed, deferred, failed };
    });

export const handler = makeHandler(appDeps(locks, engine));
