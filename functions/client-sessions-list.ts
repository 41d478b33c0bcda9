import { appDeps, type CoreDeps } from '../lib/deps';
import { seamRoute } from '../lib/http/seam-route';
import { listClientSessions } from '../lib/principals/client-session-admin';
import { requireOwner } from '../lib/principals/principal';
import { listClientSessionsInputSchema } from '../lib/principals/schemas';

export const makeHandler = (deps: CoreDeps) =>
  seamRoute('/client_sessions/list', listClientSessionsInputSchema, deps, async (input, { principal }) => ({
    client_sessions: await listClientSessions(deps, requireOwner(principal), input),
  }));

export const handler = makeHandler(appDeps());
