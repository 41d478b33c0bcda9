import { appDeps, type CoreDeps } from '../lib/deps';
import { listEvents } from '../lib/events/event-queries';
import { listEventsInputSchema } from '../lib/events/schemas';
import { seamRoute } from '../lib/http/seam-route';

export const makeHandler = (deps: CoreDeps) =>
  seamRoute('/events/list', listEventsInputSchema, deps, async (input, { principal }) => ({
    events: await listEvents(deps, principal, input),
  }));

export const handler = makeHandler(appDeps());
