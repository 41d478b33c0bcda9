import type { Clock, DeliveryQueue } from '../ports';
import type { WebhookDelivery } from '../webhooks/schemas';

type Handle = (delivery: WebhookDelivery) => Promise<unknown>;

/** How long a delivery whose handler failed waits before it is taken again, as an SQS visibility timeout would. */
const redeliverAfterMs = 30_000;

/**
 * The local stand-in for the SQS delivery queue, on the application's clock: a delivery
 * becomes visible after its delay, and each one runs on its own, so one slow endpoint never
 * holds the others back.
 */
export class InProcessDeliveryQueue implements DeliveryQueue {
  private waiting: { delivery: WebhookDelivery; visibleAt: number }[] = [];
  /** Deliveries given up; the operator also finds them with `npm run latchkey -- webhooks failed`. */
  readonly deadLetters: WebhookDelivery[] = [];

  constructor(private readonly clock: Clock) {}

  async send(delivery: WebhookDelivery, delaySeconds: number): Promise<void> {
    this.waiting.push({ delivery: structuredClone(delivery), visibleAt: this.clock.now().getTime() + delaySeconds * 1000 });
  }

  async deadLetter(delivery: WebhookDelivery): Promise<void> {
    this.deadLetters.push(structuredClone(delivery));
  }

  /** Deliveries still waiting, visible or not. */
  get size(): number {
    return this.waiting.length;
  }

  /** Takes the deliveries visible now and starts `handle` on each; a failed one comes back later. */
  private takeDue(handle: Handle): Promise<unknown>[] {
    const now = this.clock.now().getTime();
    const due = this.waiting.filter((w) => w.visibleAt <= now);
    this.waiting = this.waiting.filter((w) => w.visibleAt > now);
    return due.map(({ delivery }) =>
      handle(delivery).catch(() => {
        this.waiting.push({ delivery, visibleAt: this.clock.now().getTime() + redeliverAfterMs });
      }),
    );
  }

  /** Runs every visible delivery and waits for all of them (tests, with a moved clock). */
  async runDue(handle: Handle): Promise<void> {
    await Promise.all(this.takeDue(handle));
  }

  /** Polls every `intervalMs` (local mode); deliveries run unawaited, each on its own. Returns a stop function. */
  start(handle: Handle, intervalMs: number): () => void {
    const timer = setInterval(() => void this.takeDue(handle), intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }
}
