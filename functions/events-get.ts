import { appDeps, type CoreDeps } from '../lib/deps';
import { getEvent } from '../lib/events/event-queries';
import { getEventInputSchema } from '../lib/events/schemas';
import { seamRoute } from '../lib/http/seam-route';

export const makeHandler = (deps: CoreDeps) =>
  seamRoute('/events/get', getEventInputSchema, deps, async (input, { principal }) => ({
    event: await getEvent(deps, principal, input.event_id),
  }));

export const handler = makeHandler(appDeps());
