import * as z from 'zod';
import type { EntryReport } from '../../devices/entries';

/** The fields of an upstream `lock.unlocked` / `lock.access_denied` event that make an entry. */
const upstreamEntrySchema = z.looseObject({
  event_id: z.string().min(1).max(512),
  event_type: z.enum(['lock.unlocked', 'lock.access_denied']),
  device_id: z.string().min(1).max(512),
  occurred_at: z.iso.datetime({ offset: true }).optional(),
  access_code_id: z.string().min(1).max(512).optional(),
  method: z.string().optional(),
  reason: z.looseObject({ reason_code: z.string() }).optional(),
});

/**
 * The keypad entry an upstream Seam event reports, with the upstream's ids (its device, and its
 * code as where the lock keeps it: Latchkey maps both to its own). Undefined for an event that
 * is no keypad entry: a remote, manual or automatic unlock is no code's use.
 */
export function upstreamEntry(event: unknown, receivedAt: Date): { upstreamDeviceId: string; report: EntryReport } | undefined {
  const parsed = upstreamEntrySchema.safeParse(event);
  if (!parsed.success) return undefined;
  const e = parsed.data;
  if (e.event_type === 'lock.unlocked' && e.method !== 'keycode' && e.access_code_id === undefined) return undefined;
  const reason = e.reason?.reason_code;
  const report: EntryReport = {
    entry_id: `seam:${e.event_id}`,
    occurred_at: e.occurred_at === undefined ? receivedAt.toISOString() : new Date(e.occurred_at).toISOString(),
    outcome: e.event_type === 'lock.unlocked' ? 'unlocked' : 'denied',
    ...(e.access_code_id !== undefined && { provider_ref: e.access_code_id }),
    ...((reason === 'unknown_code' || reason === 'expired_code') && { reason }),
  };
  return { upstreamDeviceId: e.device_id, report };
}
