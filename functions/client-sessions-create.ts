import { appDeps, type LockDeps } from '../lib/deps';
import { locks } from '../lib/wiring/locks';
import { seamCallerRoute } from '../lib/http/seam-route';
import { createClientSession } from '../lib/principals/client-sessions';
import { requireOpener } from '../lib/principals/principal';
import { createClientSessionInputSchema } from '../lib/principals/schemas';

export const makeHandler = (deps: LockDeps) =>
  seamCallerRoute('/client_sessions/create', createClientSessionInputSchema, deps, async (input, { caller }) => ({
    client_session: await createClientSession(deps, requireOpener(caller), input),
  }));

export const handler = makeHandler(appDeps(locks));
