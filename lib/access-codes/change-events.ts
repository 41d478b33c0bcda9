import type { Device } from '../devices/schemas';
import type { SeamEvent } from '../events/schemas';
import type { IdGenerator } from '../ports';
import { accessCodeEvent } from './events';
import type { AccessCode } from './schemas';

/** The properties whose change an `access_code.changed` event reports. */
export const trackedProperties = ['name', 'code', 'type', 'starts_at', 'ends_at', 'is_external_modification_allowed', 'max_uses'] as const;
export type TrackedProperty = (typeof trackedProperties)[number];

const stringOrNull = (v: unknown): string | null => (v === undefined || v === null ? null : String(v));

/** The tracked properties that differ between two states of a code. */
export const changedProperties = (current: AccessCode, next: AccessCode): TrackedProperty[] => trackedProperties.filter((k) => (current[k] ?? null) !== (next[k] ?? null));

/**
 * The events of a change: `access_code.changed` listing every changed property, and beside
 * it Seam's precise `name_changed`, `code_changed` and `time_frame_changed`. PINs stay out of
 * these payloads (null): they travel to buses and logs beyond the API.
 */
export function changeEvents(ids: IdGenerator, current: AccessCode, next: AccessCode, device: Device, now: Date, description = 'Changed through the API'): SeamEvent[] {
  const changed = changedProperties(current, next);
  if (changed.length === 0) return [];
  const events = [
    accessCodeEvent(ids, next, device, 'access_code.changed', now, {
      changed_properties: changed.map((property) => ({
        property,
        from: property === 'code' ? null : stringOrNull(current[property]),
        to: property === 'code' ? null : stringOrNull(next[property]),
      })),
    }),
  ];
  if (changed.includes('name')) {
    events.push(
      accessCodeEvent(ids, next, device, 'access_code.name_changed', now, {
        from: { name: current.name },
        to: { name: next.name },
        description: `Name changed: ${description}`,
      }),
    );
  }
  if (changed.includes('code')) {
    events.push(accessCodeEvent(ids, next, device, 'access_code.code_changed', now, { from: { code: null }, to: { code: null }, description: `PIN changed: ${description}` }));
  }
  if (changed.some((k) => k === 'type' || k === 'starts_at' || k === 'ends_at')) {
    events.push(
      accessCodeEvent(ids, next, device, 'access_code.time_frame_changed', now, {
        from: { starts_at: current.starts_at ?? null, ends_at: current.ends_at ?? null },
        to: { starts_at: next.starts_at ?? null, ends_at: next.ends_at ?? null },
        description: `Time frame changed: ${description}`,
      }),
    );
  }
  return events;
}
