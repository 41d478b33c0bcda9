import type { Clock, FollowUpScheduler } from '../ports';

type Runner = (workspaceId: string, accessCodeId: string) => Promise<void>;

/** Local mode's follow-ups: a timer per scheduled step, run by whoever subscribed (npm start's engine). */
export class InProcessFollowUps implements FollowUpScheduler {
  readonly horizonMs = 15 * 60_000;
  private runner: Runner | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly onError: (error: unknown) => void = () => {},
  ) {}

  subscribe(runner: Runner): void {
    this.runner = runner;
  }

  async schedule(workspaceId: string, accessCodeId: string, dueAt: string): Promise<void> {
    const runner = this.runner;
    if (runner === undefined) return;
    const timer = setTimeout(
      () => {
        runner(workspaceId, accessCodeId).catch(this.onError);
      },
      Math.max(0, Date.parse(dueAt) - this.clock.now().getTime()),
    );
    timer.unref();
  }
}
