import { listConnectedAccounts } from '../lib/connected-accounts/connected-accounts';
import { listConnectedAccountsInputSchema } from '../lib/connected-accounts/schemas';
import { appDeps, type CoreDeps } from '../lib/deps';
import { pagination } from '../lib/http/pagination';
import { seamRoute } from '../lib/http/seam-route';

export const makeHandler = (deps: CoreDeps) =>
  seamRoute('/connected_accounts/list', listConnectedAccountsInputSchema, deps, async (input, { principal, event }) => ({
    connected_accounts: await listConnectedAccounts(deps, principal, input),
    pagination: pagination(null, input, event),
  }));

export const handler = makeHandler(appDeps());
