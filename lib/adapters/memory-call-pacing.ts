import type { CallPacing } from '../ports';

export type PacingTurn = { granted: true; grants: number[] } | { granted: false; retryAt: string };

/**
 * One take against the times of the last grants of a key (epoch ms, oldest first): granted when
 * fewer than `calls` of them fall in the `perMs` before `now`, so that no span of `perMs`, wherever
 * it starts, ever holds more than `calls` grants; the grants kept afterwards are the last `calls`.
 * A refused take is told when the oldest of those grants leaves the span.
 */
export function slidingTake(grants: readonly number[], limit: { calls: number; perMs: number }, now: Date): PacingTurn {
  const t = now.getTime();
  const kept = [...grants].sort((a, b) => a - b).slice(-limit.calls);
  const oldest = kept[kept.length - limit.calls];
  if (oldest !== undefined && oldest > t - limit.perMs) return { granted: false, retryAt: new Date(oldest + limit.perMs).toISOString() };
  return { granted: true, grants: [...kept, t].sort((a, b) => a - b).slice(-limit.calls) };
}

/** Grant times in memory (unit tests, LATCHKEY_STORE=memory). */
export function memoryCallPacing(): CallPacing {
  const grantsOf = new Map<string, number[]>();
  return {
    async take(key, limit, now) {
      const turn = slidingTake(grantsOf.get(key) ?? [], limit, now);
      if (!turn.granted) return turn;
      grantsOf.set(key, turn.grants);
      return { granted: true };
    },
  };
}
