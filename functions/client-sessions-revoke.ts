import { appDeps, type LockDeps } from '../lib/deps';
import { locks } from '../lib/wiring/locks';
import { seamRoute } from '../lib/http/seam-route';
import { revokeClientSession } from '../lib/principals/client-session-admin';
import { requireOwner } from '../lib/principals/principal';
import { clientSessionIdInputSchema } from '../lib/principals/schemas';

export const makeHandler = (deps: LockDeps) =>
  seamRoute('/client_sessions/revoke', clientSessionIdInputSchema, deps, async (input, { principal }) => {
    await revokeClientSession(deps, requireOwner(principal), input.client_session_id);
    return {};
  });

export const handler = makeHandler(appDeps(locks));
