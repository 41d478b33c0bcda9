import * as z from 'zod';
import { idSchema, timestampSchema } from '../schema-helpers';

/** A Seam event type a webhook may ask for (`access_code.set_on_device`, `device.connected`, ...). */
export const eventTypeSchema = z.string().regex(/^[a-z_]+(\.[a-z_]+)+$/, { error: 'An event type such as access_code.set_on_device' });

/** A webhook as stored. Its secret lives in the secret store (Secrets Manager in AWS), never in the table. */
export const webhookRecordSchema = z.object({
  webhook_id: idSchema,
  workspace_id: idSchema,
  url: z.string(),
  /** null: every event type. */
  event_types: z.array(eventTypeSchema).nullable(),
  created_at: timestampSchema,
  version: z.number().int().min(0),
});
export type WebhookRecord = z.infer<typeof webhookRecordSchema>;

/** The Seam `webhook` object. */
export const webhookSchema = z.object({
  webhook_id: z.string(),
  url: z.string(),
  event_types: z.array(z.string()).optional(),
  secret: z.string().optional(),
});
export type Webhook = z.infer<typeof webhookSchema>;

const webhookUrlSchema = z.url({ protocol: /^https?$/, error: 'An http or https URL' }).max(2048);

export const createWebhookInputSchema = z.object({
  url: webhookUrlSchema,
  event_types: z.array(eventTypeSchema).max(100).optional(),
});
export const updateWebhookInputSchema = z.object({
  webhook_id: idSchema,
  event_types: z.array(eventTypeSchema).max(100),
  url: webhookUrlSchema.optional().meta({ description: "Latchkey's addition: a new URL for the webhook." }),
});
export const webhookIdInputSchema = z.object({ webhook_id: idSchema });
export const listWebhooksInputSchema = z.object({});

/**
 * One delivery of one event to one webhook, as it waits in the queue. `message_id` is the
 * Svix message id: the same for every attempt, so a receiver can drop repeats.
 */
export const webhookDeliverySchema = z.object({
  message_id: z.string().regex(/^msg_[0-9a-f]{32}$/),
  workspace_id: idSchema,
  webhook_id: idSchema,
  /** The Seam event, sent as the body. */
  event: z.looseObject({ event_id: idSchema, event_type: z.string(), workspace_id: idSchema }),
  attempt: z.number().int().min(1),
  first_attempt_at: timestampSchema,
  /** Not to be sent before this time: the queue's delay is capped (15 minutes on SQS), a retry may wait hours. */
  not_before: timestampSchema.optional(),
});
export type WebhookDelivery = z.infer<typeof webhookDeliverySchema>;

/** A delivery given up after its last retry: kept for the operator to see. */
export const failedDeliverySchema = z.object({
  message_id: z.string(),
  workspace_id: idSchema,
  webhook_id: idSchema,
  event_id: idSchema,
  event_type: z.string(),
  url: z.string(),
  attempts: z.number().int().min(1),
  first_attempt_at: timestampSchema,
  failed_at: timestampSchema,
  /** The last answer: an HTTP status, or why there was none (`timeout`, `network_error`, `refused_address`). */
  last_result: z.string(),
});
export type FailedDelivery = z.infer<typeof failedDeliverySchema>;
