import { appDeps, type CoreDeps } from '../lib/deps';
import { seamRoute } from '../lib/http/seam-route';
import { requireOwner } from '../lib/principals/principal';
import { listWebhooksInputSchema } from '../lib/webhooks/schemas';
import { listWebhooks } from '../lib/webhooks/webhooks';

export const makeHandler = (deps: CoreDeps) =>
  seamRoute('/webhooks/list', listWebhooksInputSchema, deps, async (_input, { principal }) => ({
    webhooks: await listWebhooks(deps, requireOwner(principal)),
  }));

export const handler = makeHandler(appDeps());
