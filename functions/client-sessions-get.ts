import { appDeps, type LockDeps } from '../lib/deps';
import { locks } from '../lib/wiring/locks';
import { bearerToken } from '../lib/http/request';
import { seamRoute } from '../lib/http/seam-route';
import { getClientSession } from '../lib/principals/client-sessions';
import { getClientSessionInputSchema } from '../lib/principals/schemas';

export const makeHandler = (deps: LockDeps) =>
  seamRoute('/client_sessions/get', getClientSessionInputSchema, deps, async (input, { principal, event }) => ({
    client_session: await getClientSession(deps, principal, input, bearerToken(event)),
  }));

export const handler = makeHandler(appDeps(locks));
