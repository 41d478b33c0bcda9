import middy from '@middy/core';
import { syncAllAccounts } from '../lib/connected-accounts/connected-accounts';
import { appDeps, type LockDeps } from '../lib/deps';
import { locks } from '../lib/wiring/locks';
import { logger } from '../lib/logger';
import { observed } from '../lib/observability';

/**
 * Runs on the daily schedule (and at local start): syncs every connected account whose
 * provider lists devices, so that locks added, renamed, gone offline or removed upstream show
 * up even when a webhook was missed.
 */
export const makeHandler = (deps: LockDeps) =>
  middy<unknown>()
    .use(observed())
    .handler(async () => {
      const result = await syncAllAccounts(deps);
      logger.info('connected accounts synced', result);
      return result;
    });

export const handler = makeHandler(appDeps(locks));
