import { ConflictError } from '../errors';
import type { Written } from '../idempotency/unit-of-work';
import type { WebhookRepository } from '../ports';
import type { FailedDelivery, WebhookDelivery, WebhookRecord } from '../webhooks/schemas';
import { copy } from './memory-copy';

/** In-memory webhooks with the DynamoDB adapter's semantics (versions, one claim per delivery, `commitKey` as memory-access.ts). */
export function memoryWebhooks(commitKey: (written?: Written) => void = () => {}): WebhookRepository {
  const webhooks = new Map<string, WebhookRecord>();
  const claims = new Set<string>();
  const failures: FailedDelivery[] = [];
  const parked = new Map<string, { delivery: WebhookDelivery; releaseAt: string }>();
  const parkedKey = (d: WebhookDelivery) => `${d.workspace_id}|${d.message_id}|${d.attempt}`;
  const key = (workspaceId: string, webhookId: string) => `${workspaceId}|${webhookId}`;
  const holds = (r: WebhookRecord) => {
    if (webhooks.get(key(r.workspace_id, r.webhook_id))?.version !== r.version) throw new ConflictError();
  };
  return {
    async create(record) {
      if (webhooks.has(key(record.workspace_id, record.webhook_id))) throw new ConflictError();
      commitKey();
      webhooks.set(key(record.workspace_id, record.webhook_id), copy(record));
    },
    async get(workspaceId, webhookId) {
      const r = webhooks.get(key(workspaceId, webhookId));
      return r && copy(r);
    },
    async list(workspaceId) {
      return copy([...webhooks.values()].filter((w) => w.workspace_id === workspaceId).sort((a, b) => a.created_at.localeCompare(b.created_at)));
    },
    async update(next, previous) {
      holds(previous);
      commitKey();
      webhooks.set(key(next.workspace_id, next.webhook_id), copy(next));
    },
    async remove(previous) {
      holds(previous);
      commitKey();
      webhooks.delete(key(previous.workspace_id, previous.webhook_id));
    },
    async claimDelivery(workspaceId, webhookId, eventId) {
      const claim = `${workspaceId}|${webhookId}|${eventId}`;
      if (claims.has(claim)) return false;
      claims.add(claim);
      return true;
    },
    async recordFailedDelivery(failed) {
      failures.push(copy(failed));
    },
    async listFailedDeliveries(workspaceId) {
      return copy(failures.filter((f) => f.workspace_id === workspaceId).sort((a, b) => b.failed_at.localeCompare(a.failed_at)));
    },
    async parkDelivery(delivery, releaseAt) {
      parked.set(parkedKey(delivery), { delivery: copy(delivery), releaseAt });
    },
    async takeParkedDeliveries(now, leaseUntil, limit) {
      const due = [...parked.values()].filter((p) => p.releaseAt <= now).sort((a, b) => a.releaseAt.localeCompare(b.releaseAt));
      return due.slice(0, limit).map((p) => {
        p.releaseAt = leaseUntil;
        return copy(p.delivery);
      });
    },
    async removeParkedDelivery(delivery) {
      parked.delete(parkedKey(delivery));
    },
  };
}
