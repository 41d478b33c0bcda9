import type { SeamEvent } from '../events/schemas';
import type { EventPublisher } from '../ports';

export type EventListener = (event: SeamEvent) => Promise<void>;

/**
 * The local stand-in for the EventBridge bus: listeners run after the publishing request has
 * returned, as a rule target would. A failing listener is reported and does not affect others.
 */
export class InProcessBus implements EventPublisher {
  private readonly listeners: EventListener[] = [];

  constructor(private readonly onListenerError: (error: unknown) => void = () => {}) {}

  subscribe(listener: EventListener): void {
    this.listeners.push(listener);
  }

  async publish(events: readonly SeamEvent[]): Promise<void> {
    for (const event of events) {
      for (const listener of this.listeners) {
        setImmediate(() => listener(event).catch(this.onListenerError));
      }
    }
  }
}
