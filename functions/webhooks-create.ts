import { appDeps, type LockDeps } from '../lib/deps';
import { locks } from '../lib/wiring/locks';
import { seamRoute } from '../lib/http/seam-route';
import { requireOwner } from '../lib/principals/principal';
import { createWebhookInputSchema } from '../lib/webhooks/schemas';
import { createWebhook } from '../lib/webhooks/webhooks';

export const makeHandler = (deps: LockDeps) =>
  seamRoute('/webhooks/create', createWebhookInputSchema, deps, async (input, { principal }) => ({
    webhook: await createWebhook(deps, requireOwner(principal), input),
  }));

export const handler = makeHandler(appDeps(locks));
