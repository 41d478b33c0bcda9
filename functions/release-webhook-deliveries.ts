import middy from '@middy/core';
import { appDeps, type CoreDeps } from '../lib/deps';
import { logger } from '../lib/logger';
import { observed } from '../lib/observability';
import { releaseParkedDeliveries } from '../lib/webhooks/deliver';

/**
 * Runs on the poll schedule: puts webhook deliveries parked in the table (a retry hours away,
 * longer than the queue can delay it) back on the delivery queue shortly before they are due.
 */
export const makeHandler = (deps: CoreDeps) =>
  middy<unknown>()
    .use(observed())
    .handler(async () => {
      const released = await releaseParkedDeliveries(deps);
      if (released > 0) logger.info('parked webhook deliveries released', { released });
      return { released };
    });

export const handler = makeHandler(appDeps());
