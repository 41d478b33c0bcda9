import type { CallHolder, CallPacing, PacingTurn } from '../ports';

/** A grant: when (epoch ms), and to which work when the take named it. */
export interface Grant {
  at: number;
  by?: string;
}

export type SlidingTurn = { granted: true; grants: Grant[] } | Exclude<PacingTurn, { granted: true }>;

/**
 * One take against the last grants of a key (oldest first): granted when fewer than `calls` of
 * them fall in the `perMs` before `now`, so that no span of `perMs`, wherever it starts, ever
 * holds more than `calls` grants; the grants kept afterwards are the last `calls`. A refused take
 * is told when the oldest of those grants leaves the span. A take by a holder that has a grant
 * in the last `holdMs` is refused as held, told when that hold ends.
 */
export function slidingTake(grants: readonly Grant[], limit: { calls: number; perMs: number }, now: Date, holder?: CallHolder): SlidingTurn {
  const t = now.getTime();
  const kept = [...grants].sort((a, b) => a.at - b.at).slice(-limit.calls);
  const held = holder && kept.findLast((g) => g.by === holder.id && g.at > t - holder.holdMs);
  if (held) return { granted: false, retryAt: new Date(held.at + holder.holdMs).toISOString(), held: true };
  const oldest = kept[kept.length - limit.calls];
  if (oldest !== undefined && oldest.at > t - limit.perMs) return { granted: false, retryAt: new Date(oldest.at + limit.perMs).toISOString() };
  return { granted: true, grants: [...kept, { at: t, ...(holder && { by: holder.id }) }].sort((a, b) => a.at - b.at).slice(-limit.calls) };
}

/** Grants in memory (unit tests, LATCHKEY_STORE=memory). */
export function memoryCallPacing(): CallPacing {
  const grantsOf = new Map<string, Grant[]>();
  return {
    async take(key, limit, now, holder) {
      const turn = slidingTake(grantsOf.get(key) ?? [], limit, now, holder);
      if (!turn.granted) return turn;
      grantsOf.set(key, turn.grants);
      return { granted: true };
    },
  };
}
