import type { CallPacing } from '../ports';

/** The fixed window `now` falls in: its start, and when the next opens. */
export function pacingWindow(limit: { perMs: number }, now: Date): { start: number; next: string } {
  const start = Math.floor(now.getTime() / limit.perMs) * limit.perMs;
  return { start, next: new Date(start + limit.perMs).toISOString() };
}

/** Call counters in memory (unit tests, LATCHKEY_STORE=memory). */
export function memoryCallPacing(): CallPacing {
  const counts = new Map<string, number>();
  return {
    async take(key, limit, now) {
      const window = pacingWindow(limit, now);
      const counter = `${key}#${window.start}`;
      const taken = counts.get(counter) ?? 0;
      if (taken >= limit.calls) return { granted: false, retryAt: window.next };
      counts.set(counter, taken + 1);
      return { granted: true };
    },
  };
}
