import type { ListEventsInput, SeamEvent } from './schemas';

/** The /events/list filters, applied to one event. */
export function matchesEventQuery(e: SeamEvent, q: ListEventsInput): boolean {
  const [from, to] = q.between ?? [q.since, undefined];
  const anyOf = <T>(value: T, one: T | undefined, many: readonly T[] | undefined) => (one === undefined || value === one) && (many === undefined || many.includes(value));
  return (
    (from === undefined || e.occurred_at >= from) &&
    (to === undefined || e.occurred_at <= to) &&
    anyOf(e.device_id, q.device_id, q.device_ids) &&
    anyOf(e.access_code_id, q.access_code_id, q.access_code_ids) &&
    anyOf(e.event_type, q.event_type, q.event_types)
  );
}
