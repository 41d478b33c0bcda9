import { appDeps, type LockDeps } from '../lib/deps';
import { locks } from '../lib/wiring/locks';
import { seamCallerRoute } from '../lib/http/seam-route';
import { getOrCreateClientSession } from '../lib/principals/client-sessions';
import { requireOpener } from '../lib/principals/principal';
import { getOrCreateClientSessionInputSchema } from '../lib/principals/schemas';

export const makeHandler = (deps: LockDeps) =>
  seamCallerRoute('/client_sessions/get_or_create', getOrCreateClientSessionInputSchema, deps, async (input, { caller }) => ({
    client_session: await getOrCreateClientSession(deps, requireOpener(caller), input),
  }));

export const handler = makeHandler(appDeps(locks));
