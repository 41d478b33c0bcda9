import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { SeamEvent } from '../events/schemas';
import type { EventPublisher } from '../ports';
import { withoutSdkLogging } from './sdk-client';

export const eventSource = 'latchkey';

type EventBridgeModule = typeof import('@aws-sdk/client-eventbridge');

/**
 * Puts access_code.* events on the EventBridge bus, `detail-type` = the Seam event type. The
 * SDK client is loaded on the first publish, so functions that only read never pay its
 * import at cold start.
 */
export function eventBridgePublisher(eventBusName: string): EventPublisher {
  let sdk: Promise<{ module: EventBridgeModule; client: EventBridgeClient }> | undefined;
  const load = () => (sdk ??= import('@aws-sdk/client-eventbridge').then((module) => ({ module, client: withoutSdkLogging(new module.EventBridgeClient({})) })));
  return {
    async publish(events) {
      if (events.length === 0) return;
      const { module, client } = await load();
      for (let i = 0; i < events.length; i += 10) {
        const batch = events.slice(i, i + 10);
        const result = await client.send(
          new module.PutEventsCommand({
            Entries: batch.map((e: SeamEvent) => ({
              EventBusName: eventBusName,
              Source: eventSource,
              DetailType: e.event_type,
              Time: new Date(e.occurred_at),
              Detail: JSON.stringify(e),
            })),
          }),
        );
        if ((result.FailedEntryCount ?? 0) > 0) {
          throw new Error(`EventBridge rejected ${result.FailedEntryCount} of ${batch.length} events`);
        }
      }
    },
  };
}
