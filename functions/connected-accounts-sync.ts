import { syncAccount } from '../lib/connected-accounts/connected-accounts';
import { syncConnectedAccountInputSchema } from '../lib/connected-accounts/schemas';
import { appDeps, type LockDeps } from '../lib/deps';
import { locks } from '../lib/wiring/locks';
import { seamRoute } from '../lib/http/seam-route';

export const makeHandler = (deps: LockDeps) =>
  seamRoute('/connected_accounts/sync', syncConnectedAccountInputSchema, deps, async (input, { principal }) => {
    await syncAccount(deps, principal, input.connected_account_id);
    return {};
  });

export const handler = makeHandler(appDeps(locks));
