import { randomBytes } from 'node:crypto';
import * as z from 'zod';
import { NotFoundError } from '../errors';
import { answerOnCommit } from '../idempotency/unit-of-work';
import type { Deps } from '../ports';
import type { WorkspacePrincipal } from '../principals/principal';
import { retry, retryPolicies } from '../retry';
import type { Webhook, WebhookRecord } from './schemas';

type WebhookDeps = Pick<Deps, 'webhooks' | 'secrets' | 'clock' | 'ids'>;

export const webhookNotFound = () => new NotFoundError('webhook_not_found', 'Webhook not found');

/** Where a webhook's signing secret lives in the secret store. */
export const webhookSecretName = (workspaceId: string, webhookId: string) => `webhooks/${workspaceId}/${webhookId}`;

/** A Svix signing secret: `whsec_` and 32 random bytes in base64. */
export const newWebhookSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;

const secretSchema = z.string().startsWith('whsec_');

export async function webhookSecret(deps: Pick<Deps, 'secrets'>, record: WebhookRecord): Promise<string> {
  return secretSchema.parse(await deps.secrets.get(webhookSecretName(record.workspace_id, record.webhook_id)));
}

const toSeam = (r: WebhookRecord, secret?: string): Webhook => ({
  webhook_id: r.webhook_id,
  url: r.url,
  ...(r.event_types !== null && { event_types: r.event_types }),
  ...(secret !== undefined && { secret }),
});

async function requireWebhook(deps: Pick<Deps, 'webhooks'>, owner: WorkspacePrincipal, webhookId: string): Promise<WebhookRecord> {
  const found = await deps.webhooks.get(owner.workspace_id, webhookId);
  if (!found) throw webhookNotFound();
  return found;
}

/** /webhooks/create: the secret is made here, stored in the secret store, and shown in the answer. */
export async function createWebhook(deps: WebhookDeps, owner: WorkspacePrincipal, input: { url: string; event_types?: string[] }): Promise<Webhook> {
  const record: WebhookRecord = {
    webhook_id: deps.ids.uuid(),
    workspace_id: owner.workspace_id,
    url: input.url,
    event_types: input.event_types ?? null,
    created_at: deps.clock.now().toISOString(),
    version: 0,
  };
  const secret = newWebhookSecret();
  // The secret first: a webhook that exists always has one to sign with.
  await deps.secrets.put(webhookSecretName(record.workspace_id, record.webhook_id), secret);
  // The secret is not in the table: the answer holding it commits with the webhook (Idempotency-Key).
  const webhook = toSeam(record, secret);
  answerOnCommit({ webhook });
  await deps.webhooks.create(record);
  return webhook;
}

/** /webhooks/get: with its secret, as Seam shows it. */
export async function getWebhook(deps: WebhookDeps, owner: WorkspacePrincipal, webhookId: string): Promise<Webhook> {
  const record = await requireWebhook(deps, owner, webhookId);
  return toSeam(record, await webhookSecret(deps, record));
}

/** /webhooks/list: without secrets. */
export async function listWebhooks(deps: WebhookDeps, owner: WorkspacePrincipal): Promise<Webhook[]> {
  return (await deps.webhooks.list(owner.workspace_id)).map((r) => toSeam(r));
}

/** /webhooks/update: new event types (and URL); deliveries already queued keep going. */
export function updateWebhook(deps: WebhookDeps, owner: WorkspacePrincipal, input: { webhook_id: string; event_types: string[]; url?: string }): Promise<void> {
  return retry(retryPolicies.versionConflict, async () => {
    const found = await requireWebhook(deps, owner, input.webhook_id);
    answerOnCommit({});
    await deps.webhooks.update({ ...found, event_types: input.event_types, url: input.url ?? found.url, version: found.version + 1 }, found);
  });
}

/** /webhooks/delete: the webhook and its secret; queued deliveries to it are dropped when taken. */
export async function deleteWebhook(deps: WebhookDeps, owner: WorkspacePrincipal, webhookId: string): Promise<void> {
  await retry(retryPolicies.versionConflict, async () => {
    const found = await requireWebhook(deps, owner, webhookId);
    answerOnCommit({});
    await deps.webhooks.remove(found);
  });
  await deps.secrets.remove(webhookSecretName(owner.workspace_id, webhookId));
}
