import type { SeamEvent } from '../events/schemas';
import type { EventPublisher } from '../ports';
import { copy } from './memory-copy';

/**
 * The in-memory store's outbox, its stand-in for the table's stream: events join it when the
 * write that carries them commits, and leave it only once published. A publish that fails
 * keeps them, in order, for the next flush (the next commit or the next poller tick).
 */
export class MemoryOutbox {
  private readonly pending: SeamEvent[] = [];
  private publisher: EventPublisher | undefined;
  private flushing: Promise<void> | undefined;

  constructor(private readonly onError: (error: unknown) => void = () => {}) {}

  /** Called by the store inside a commit. */
  append(events: readonly SeamEvent[]): void {
    if (events.length === 0) return;
    this.pending.push(...copy(events));
    void this.flush();
  }

  /** Where events go from here; events committed before a publisher is set wait for it. */
  relayTo(publisher: EventPublisher): void {
    this.publisher = publisher;
    void this.flush();
  }

  /** Events committed and not yet published. */
  get size(): number {
    return this.pending.length;
  }

  /** Publishes what is pending, ten at a time, oldest first; one flush runs at a time. */
  flush(): Promise<void> {
    this.flushing ??= this.drain().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async drain(): Promise<void> {
    const publisher = this.publisher;
    if (publisher === undefined) return;
    while (this.pending.length > 0) {
      const batch = this.pending.slice(0, 10);
      try {
        await publisher.publish(batch);
      } catch (error) {
        this.onError(error);
        return;
      }
      this.pending.splice(0, batch.length);
    }
  }
}
