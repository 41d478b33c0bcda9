import { getTimeline, getTimelineInputSchema } from '../lib/access-codes/timeline';
import { appDeps, type CoreDeps } from '../lib/deps';
import { seamRoute } from '../lib/http/seam-route';

export const makeHandler = (deps: CoreDeps) => seamRoute('/access_codes/get_timeline', getTimelineInputSchema, deps, (input, { principal }) => getTimeline(deps, principal, input));

export const handler = makeHandler(appDeps());
