import { appDeps, type CoreDeps } from '../lib/deps';
import { seamRoute } from '../lib/http/seam-route';
import { requireOwner } from '../lib/principals/principal';
import { webhookIdInputSchema } from '../lib/webhooks/schemas';
import { getWebhook } from '../lib/webhooks/webhooks';

export const makeHandler = (deps: CoreDeps) =>
  seamRoute('/webhooks/get', webhookIdInputSchema, deps, async (input, { principal }) => ({
    webhook: await getWebhook(deps, requireOwner(principal), input.webhook_id),
  }));

export const handler = makeHandler(appDeps());
