import { receiveSeamWebhook } from '../lib/providers/seam';
import { type AppDeps, appDeps } from '../lib/deps';
import { engine } from '../lib/wiring/engine';
import { locks } from '../lib/wiring/locks';
import { seamWebhookVerifier, type WebhookVerifier } from '../lib/providers/seam';
import { UnauthorizedError } from '../lib/errors';
import { rawRoute } from '../lib/http/seam-route';

export const makeHandler = (deps: AppDeps, verify: WebhookVerifier = seamWebhookVerifier) =>
  rawRoute('/webhooks/seam/{connected_account_id}', deps, async ({ rawBody, headers, pathParameters }) => {
    const accountId = pathParameters.connected_account_id;
    if (accountId === undefined) throw new UnauthorizedError('Invalid or missing webhook signature');
    await receiveSeamWebhook(deps, verify, accountId, { rawBody, headers });
    return {};
  });

export const handler = makeHandler(appDeps(locks, engine));
