import { appDeps, type LockDeps } from '../lib/deps';
import { locks } from '../lib/wiring/locks';
import { seamRoute } from '../lib/http/seam-route';
import { requireOwner } from '../lib/principals/principal';
import { webhookIdInputSchema } from '../lib/webhooks/schemas';
import { deleteWebhook } from '../lib/webhooks/webhooks';

export const makeHandler = (deps: LockDeps) =>
  seamRoute('/webhooks/delete', webhookIdInputSchema, deps, async (input, { principal }) => {
    await deleteWebhook(deps, requireOwner(principal), input.webhook_id);
    return {};
  });

export const handler = makeHandler(appDeps(locks));
