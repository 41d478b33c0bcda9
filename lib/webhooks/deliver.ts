import { createHash } from 'node:crypto';
import { Webhook as SvixWebhook } from 'svix/dist/webhook';
import { logger } from '../logger';
import type { Deps, WebhookOut } from '../ports';
import type { WebhookDelivery, WebhookRecord } from './schemas';
import { webhookSecret } from './webhooks';

/**
 * When a failed delivery is tried again, after each failed attempt: Svix's own schedule
 * (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h). After the last, about 27.5 hours after the first
 * attempt, the delivery is given up: dead-lettered and recorded for the operator.
 */
export const retryDelaysMs = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000] as const;

/** How long one attempt may take before it counts as failed (Svix waits 15 s too). */
export const deliveryTimeoutMs = 15_000;

/** SQS's longest delay: a delivery waiting longer is parked in the table instead of going round the queue every 15 minutes. */
export const longestQueueDelayMs = 900_000;
/** A parked delivery goes back on the queue this long before its attempt is due, so the queue's own delay carries the rest. */
export const parkedReleaseLeadMs = 600_000;
/** A release that claimed a delivery but never removed it (a crash between) gives it back after this long. */
export const parkedReleaseLeaseMs = 300_000;

type FanOutDeps = Pick<Deps, 'webhooks' | 'clock'> & Pick<WebhookOut, 'deliveries'>;
type ReleaseDeps = FanOutDeps;
type DeliverDeps = Pick<Deps, 'webhooks' | 'secrets' | 'clock'> & WebhookOut;

/** The Svix message id of an event's delivery to a webhook: the same however often the event arrives. */
export const messageIdOf = (webhookId: string, eventId: string) => `msg_${createHash('sha256').update(`${webhookId}:${eventId}`).digest('hex').slice(0, 32)}`;

const wants = (webhook: WebhookRecord, eventType: string) => webhook.event_types === null || webhook.event_types.includes(eventType);

/**
 * Queues one delivery of `event` per webhook of its workspace that wants its type. The bus
 * delivers each event at least once; a claim per (webhook, event) makes a repeat queue nothing.
 */
export async function enqueueDeliveries(deps: FanOutDeps, event: WebhookDelivery['event']): Promise<number> {
  const now = deps.clock.now().toISOString();
  let queued = 0;
  for (const webhook of await deps.webhooks.list(event.workspace_id)) {
    if (!wants(webhook, event.event_type)) continue;
    if (!(await deps.webhooks.claimDelivery(event.workspace_id, webhook.webhook_id, event.event_id, now))) continue;
    const delivery: WebhookDelivery = {
      message_id: messageIdOf(webhook.webhook_id, event.event_id),
      workspace_id: event.workspace_id,
      webhook_id: webhook.webhook_id,
      event,
      attempt: 1,
      first_attempt_at: now,
    };
    await deps.deliveries.send(delivery, 0);
    queued++;
  }
  return queued;
}

/** The Svix headers of one attempt: id, timestamp in seconds, and the v1 HMAC-SHA256 signature of `id.timestamp.body`. */
export function svixHeaders(secret: string, messageId: string, at: Date, body: string): Record<string, string> {
  return {
    'content-type': 'application/json',
    'user-agent': 'Latchkey-Webhooks/1',
    'svix-id': messageId,
    'svix-timestamp': String(Math.floor(at.getTime() / 1000)),
    'svix-signature': new SvixWebhook(secret).sign(messageId, at, body),
  };
}

export type DeliveryOutcome = 'delivered' | 'held' | 'retrying' | 'given_up' | 'dropped';

/**
 * One attempt of one delivery, taken from the queue. A 2xx answer ends it. Otherwise it goes
 * back to the queue under the same message id after the next delay of `retryDelaysMs`, or,
 * past the last, is dead-lettered and recorded. Throws only when the queue or the secret
 * store fails: then the queue hands the same delivery out again.
 */
export async function deliverWebhook(deps: DeliverDeps, delivery: WebhookDelivery): Promise<DeliveryOutcome> {
  const now = deps.clock.now();
  if (delivery.not_before !== undefined && delivery.not_before > now.toISOString()) {
    await waitFor(deps, delivery, now);
    return 'held';
  }
  const webhook = await deps.webhooks.get(delivery.workspace_id, delivery.webhook_id);
  if (!webhook) return 'dropped';
  const body = JSON.stringify(delivery.event);
  const headers = svixHeaders(await webhookSecret(deps, webhook), delivery.message_id, now, body);
  const result = await deps.webhookTransport.post(webhook.url, headers, body, deliveryTimeoutMs);
  const fields = { message_id: delivery.message_id, webhook_id: delivery.webhook_id, event_type: delivery.event.event_type, attempt: delivery.attempt };
  if ('status' in result && result.status >= 200 && result.status < 300) {
    logger.info('webhook delivered', { ...fields, status: result.status });
    return 'delivered';
  }
  const lastResult = 'status' in result ? String(result.status) : result.failure;
  const delay = retryDelaysMs[delivery.attempt - 1];
  if (delay === undefined) {
    await deps.deliveries.deadLetter(delivery);
    await deps.webhooks.recordFailedDelivery({
      message_id: delivery.message_id,
      workspace_id: delivery.workspace_id,
      webhook_id: delivery.webhook_id,
      event_id: delivery.event.event_id,
      event_type: delivery.event.event_type,
      url: webhook.url,
      attempts: delivery.attempt,
      first_attempt_at: delivery.first_attempt_at,
      failed_at: now.toISOString(),
      last_result: lastResult,
    });
    logger.warn('webhook delivery given up', { ...fields, last_result: lastResult });
    return 'given_up';
  }
  const notBefore = new Date(now.getTime() + delay).toISOString();
  await waitFor(deps, { ...delivery, attempt: delivery.attempt + 1, not_before: notBefore }, now);
  logger.info('webhook delivery failed, will retry', { ...fields, last_result: lastResult, retry_at: notBefore });
  return 'retrying';
}

const secondsUntil = (iso: string | undefined, now: Date) => Math.max(0, (iso === undefined ? 0 : Date.parse(iso) - now.getTime()) / 1000);

/** Puts a delivery back to wait for its `not_before`: on the queue when its delay can carry the wait, else parked in the table. */
async function waitFor(deps: ReleaseDeps, delivery: WebhookDelivery, now: Date): Promise<void> {
  const waitMs = secondsUntil(delivery.not_before, now) * 1000;
  if (waitMs <= longestQueueDelayMs || delivery.not_before === undefined) {
    await deps.deliveries.send(delivery, waitMs / 1000);
    return;
  }
  await deps.webhooks.parkDelivery(delivery, new Date(Date.parse(delivery.not_before) - parkedReleaseLeadMs).toISOString());
}

/**
 * Puts parked deliveries whose attempt is near back on the queue (the scheduled release job).
 * Each is claimed first, so two releases never both send it; one sent and not yet forgotten when
 * the process stops is sent again after its lease, under the same message id, which receivers
 * drop as a repeat.
 */
export async function releaseParkedDeliveries(deps: ReleaseDeps, limit = 500): Promise<number> {
  const now = deps.clock.now();
  const leaseUntil = new Date(now.getTime() + parkedReleaseLeaseMs).toISOString();
  const taken = await deps.webhooks.takeParkedDeliveries(now.toISOString(), leaseUntil, limit);
  for (const delivery of taken) {
    await deps.deliveries.send(delivery, secondsUntil(delivery.not_before, now));
    await deps.webhooks.removeParkedDelivery(delivery);
  }
  return taken.length;
}
