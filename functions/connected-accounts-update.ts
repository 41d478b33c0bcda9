import { updateConnectedAccount } from '../lib/connected-accounts/connected-accounts';
import { updateConnectedAccountInputSchema } from '../lib/connected-accounts/schemas';
import { appDeps, type LockDeps } from '../lib/deps';
import { locks } from '../lib/wiring/locks';
import { seamRoute } from '../lib/http/seam-route';

export const makeHandler = (deps: LockDeps) =>
  seamRoute('/connected_accounts/update', updateConnectedAccountInputSchema, deps, async (input, { principal }) => ({
    connected_account: await updateConnectedAccount(deps, principal, input),
  }));

export const handler = makeHandler(appDeps(locks));
