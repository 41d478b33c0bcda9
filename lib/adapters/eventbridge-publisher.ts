import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { SeamEvent } from '../events/schemas';
import type { EventPublisher } from '../ports';

export const eventSource = 'latchkey';

/** Puts access_code.* events on the EventBridge bus, `detail-type` = the Seam event type. */
export function eventBridgePublisher(client: EventBridgeClient, eventBusName: string): EventPublisher {
  return {
    async publish(events) {
      for (let i = 0; i < events.length; i += 10) {
        const batch = events.slice(i, i + 10);
        const result = await client.send(
          new PutEventsCommand({
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
