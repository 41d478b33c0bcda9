import { getConnectedAccount } from '../lib/connected-accounts/connected-accounts';
import { getConnectedAccountInputSchema } from '../lib/connected-accounts/schemas';
import { appDeps, type CoreDeps } from '../lib/deps';
import { seamRoute } from '../lib/http/seam-route';

export const makeHandler = (deps: CoreDeps) =>
  seamRoute('/connected_accounts/get', getConnectedAccountInputSchema, deps, async (input, { principal }) => ({
    connected_account: await getConnectedAccount(deps, principal, input.connected_account_id),
  }));

export const handler = makeHandler(appDeps());
