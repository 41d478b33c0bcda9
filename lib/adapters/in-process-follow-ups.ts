import type { Clock, FollowUpScheduler } from '../ports';
import type { FollowUpMessage } from './sqs-follow-ups';

type Runner = (message: FollowUpMessage) => Promise<void>;

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
    this.later({ workspace_id: workspaceId, access_code_id: accessCodeId }, dueAt);
  }

  async scheduleBoltCheck(workspaceId: string, actionAttemptId: string, dueAt: string): Promise<void> {
    this.later({ workspace_id: workspaceId, action_attempt_id: actionAttemptId }, dueAt);
  }

  private later(message: FollowUpMessage, dueAt: string): void {
    const runner = this.runner;
    if (runner === undefined) return;
    const timer = setTimeout(
      () => {
        runner(message).catch(this.onError);
      },
      Math.max(0, Date.parse(dueAt) - this.clock.now().getTime()),
    );
    timer.unref();
  }
}
