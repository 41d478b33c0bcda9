import { appDeps, type LockDeps } from '../lib/deps';
import { locks } from '../lib/wiring/locks';
import { seamRoute } from '../lib/http/seam-route';
import { grantAccess } from '../lib/principals/client-session-admin';
import { requireOwner } from '../lib/principals/principal';
import { grantAccessInputSchema } from '../lib/principals/schemas';

export const makeHandler = (deps: LockDeps) =>
  seamRoute('/client_sessions/grant_access', grantAccessInputSchema, deps, async (input, { principal }) => ({
    client_session: await grantAccess(deps, requireOwner(principal), input),
  }));

export const handler = makeHandler(appDeps(locks));
