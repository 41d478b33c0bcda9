import type { RateLimit } from '../devices/lock-provider';
import type { CallHolder, CallPacing, PacingTurn } from '../ports';

export type Turn = PacingTurn;

/**
 * How an engine step takes its turns at a provider's limits. A step on its own (a follow-up, a
 * request's first step) asks the pacing directly; the poller's steps take them through the
 * waiting lines of the locks it is working on (`waitingLines`).
 */
export interface Turns {
  /** Waits until every code before this one in its lock's line has taken its turns (or needed none). */
  before(accessCodeId: string): Promise<void>;
  /** This code has taken its turns (or needs none): the next code of its line may take its own. */
  passed(accessCodeId: string): void;
  take(key: string, limit: RateLimit, now: Date, holder: CallHolder): Promise<Turn>;
}

/** An opening of a limit that refused steps outside the poller: when it comes, and the codes told to wait for it, in the order they were first refused. */
interface Opening {
  retryAt: string;
  /** Each code's place among those refused for this opening: a code refused again keeps its place. */
  places: Map<string, number>;
}

/**
 * The openings each pacing has refused steps for in this process, per key. Kept per pacing (one
 * per application), across steps.
 */
const openingsOf = new WeakMap<CallPacing, Map<string, Opening>>();
const rememberedKeys = 10_000;

/** The code a holder names (`<access_code_id>@<version>`): a code counts once in a line, whatever version of it asks. */
const codeOf = (holder: CallHolder): string => holder.id.split('@', 1)[0] ?? holder.id;

/**
 * Turns asked of the pacing one step at a time (a request's first step, a follow-up). A refused
 * step is told a window of its own: the k-th code this process has seen refused for the same
 * opening of a limit comes back k / calls windows after it, as the poller's waiting lines do,
 * instead of every refused step of a lock coming back at the one next opening, where one is
 * served and the rest are refused again (a lock with n codes waiting took about n² / 2 steps to
 * set them). A code refused again for the same opening keeps its place, so asking twice never
 * pushes a code further back.
 */
export function directTurns(pacing: CallPacing): Turns {
  const byKey = openingsOf.get(pacing) ?? new Map<string, Opening>();
  openingsOf.set(pacing, byKey);
  return {
    before: async () => {},
    passed: () => {},
    async take(key, limit, now, holder) {
      const turn = await pacing.take(key, limit, now, holder);
      if (turn.granted || turn.held) return turn;
      let opening = byKey.get(key);
      if (opening?.retryAt !== turn.retryAt) {
        // A new opening; the keys refused longest ago are forgotten first.
        byKey.delete(key);
        opening = { retryAt: turn.retryAt, places: new Map() };
        byKey.set(key, opening);
        const oldest = byKey.keys().next();
        if (byKey.size > rememberedKeys && !oldest.done) byKey.delete(oldest.value);
      }
      const code = codeOf(holder);
      const place = opening.places.get(code) ?? opening.places.size;
      opening.places.set(code, place);
      const windowsLater = Math.floor(place / limit.calls);
      return windowsLater === 0 ? turn : { granted: false, retryAt: new Date(Date.parse(turn.retryAt) + windowsLater * limit.perMs).toISOString() };
    },
  };
}

/** A lock's line place, by a code's time in line: waiting since, or else due since; the id breaks ties. */
export function linePlace(record: { queued_since?: string; due_at?: string; access_code: { access_code_id: string } }): string {
  return `${record.queued_since ?? record.due_at ?? ''}#${record.access_code.access_code_id}`;
}

interface Place {
  /** Resolves once this code and every code before it in its line have passed. */
  passedAll: Promise<void>;
  /** Resolves once the code before it (and so every one before) has passed. */
  ahead: Promise<void>;
  pass: () => void;
}

/** A limit that refused a call in this tick: when its next turn comes, and how many codes wait for it since. */
interface Closed {
  retryAt: string;
  limit: RateLimit;
  waiting: number;
}

/**
 * The poller's turns: the codes of each lock take their turns in the order of the lock's line
 * (`lines`, each in line order: first waiting, then first due), whatever order their steps run
 * in. Once a limit refuses a call, the codes after it in this tick do not ask again: each waits
 * for the turn its place can come at, the k-th no sooner than k / calls windows after the next
 * opens, so that they come back in line order and no sooner than they can be served.
 */
export function waitingLines(pacing: CallPacing, lines: readonly (readonly string[])[]): Turns {
  const places = new Map<string, Place>();
  for (const line of lines) {
    let ahead: Promise<void> = Promise.resolve();
    for (const accessCodeId of line) {
      let pass = () => {};
      const own = new Promise<void>((resolve) => {
        pass = resolve;
      });
      const passedAll = ahead.then(() => own);
      places.set(accessCodeId, { ahead, passedAll, pass });
      ahead = passedAll;
    }
  }
  const closed = new Map<string, Closed>();
  return {
    before: async (accessCodeId) => places.get(accessCodeId)?.ahead,
    passed: (accessCodeId) => places.get(accessCodeId)?.pass(),
    async take(key, limit, now, holder) {
      const shut = closed.get(key);
      if (shut !== undefined) {
        shut.waiting++;
        const windowsLater = Math.floor(shut.waiting / shut.limit.calls);
        return { granted: false, retryAt: new Date(Date.parse(shut.retryAt) + windowsLater * shut.limit.perMs).toISOString() };
      }
      const turn = await pacing.take(key, limit, now, holder);
      // A held turn says only that this code's call is being made elsewhere, not that the limit is reached.
      if (!turn.granted && !turn.held) closed.set(key, { retryAt: turn.retryAt, limit, waiting: 0 });
      return turn;
    },
  };
}
