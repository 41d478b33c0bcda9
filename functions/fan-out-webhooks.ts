import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import { appDeps, type CoreDeps } from '../lib/deps';
import { observed } from '../lib/observability';
import { enqueueDeliveries } from '../lib/webhooks/deliver';
import { webhookDeliverySchema } from '../lib/webhooks/schemas';

const eventSchema = webhookDeliverySchema.shape.event;

/**
 * The target of the bus rule for every Latchkey event: queues one delivery per webhook that
 * wants it. A repeat of an event (the bus and the outbox deliver at least once) queues nothing.
 */
export const makeHandler = (deps: CoreDeps) =>
  middy<EventBridgeEvent<string, unknown>>()
    .use(observed())
    .handler(async (event) => {
      await enqueueDeliveries(deps, eventSchema.parse(event.detail));
    });

export const handler = makeHandler(appDeps());
