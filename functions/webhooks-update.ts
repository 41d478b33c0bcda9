import { appDeps, type LockDeps } from '../lib/deps';
import { locks } from '../lib/wiring/locks';
import { seamRoute } from '../lib/http/seam-route';
import { requireOwner } from '../lib/principals/principal';
import { updateWebhookInputSchema } from '../lib/webhooks/schemas';
import { updateWebhook } from '../lib/webhooks/webhooks';

export const makeHandler = (deps: LockDeps) =>
  seamRoute('/webhooks/update', updateWebhookInputSchema, deps, async (input, { principal }) => {
    await updateWebhook(deps, requireOwner(principal), input);
    return {};
  });

export const handler = makeHandler(appDeps(locks));
