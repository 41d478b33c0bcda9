import { createHmac } from 'node:crypto';
import type { DeviceRecord, OfflineTimeFrameOption } from '../../devices/schemas';
import { type OfflineCodeRequest, type OfflineCodeWindow, type OfflineCodes, OfflineCodeRefused } from '../../devices/lock-provider';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * igloohome's algoPIN rules, as Seam documents them: hourly-bound codes last 1 to 672 hours,
 * daily-bound codes 29 to 367 days and start and end at the same time of day, one-time codes
 * must be used within 24 hours of their start; at most 3 codes of a kind per hour (hourly,
 * one-time) or per day (daily); codes lasting over 24 hours must be used within their first 24.
 */
export const algoPinRules = {
  hourly: { minMs: HOUR, maxMs: 672 * HOUR, places: 3 },
  daily: { minMs: 29 * DAY, maxMs: 367 * DAY, places: 3 },
  oneTime: { usableMs: 24 * HOUR, places: 3 },
  pinLength: 9,
} as const;

/** The time frame options Seam shows on an igloohome lock's properties. */
export const algoPinTimeFrameOptions: OfflineTimeFrameOption[] = [
  { display_name: 'Hourly', min_duration: 'PT1H', max_duration: 'PT672H' },
  { display_name: 'Daily', min_duration: 'P29D', max_duration: 'P367D', matching_start_end_time: true },
  { display_name: 'One-time', max_duration: 'PT24H' },
];

const roundTo = (t: number, unit: number) => Math.round(t / unit) * unit;
const iso = (t: number) => new Date(t).toISOString();

const mustUseWithin24h = { warning_code: 'igloo_algopin_must_be_used_within_24_hours', message: 'Algopins must be used within 24 hours.' };

/** The window algoPIN takes for a request: the nearest whole hours, or whole days from the start's hour. */
export function algoPinWindow(request: OfflineCodeRequest): OfflineCodeWindow {
  const start = roundTo(Date.parse(request.starts_at), HOUR);
  const hourSlot = `hour:${iso(start)}`;
  if (request.one_time_use) {
    if (request.ends_at !== undefined) throw new OfflineCodeRefused('is_one_time_use', 'A one-time-use offline code takes starts_at only');
    return { kind: 'one_time', starts_at: iso(start), ends_at: iso(start + algoPinRules.oneTime.usableMs), slot: `once:${hourSlot}`, places: algoPinRules.oneTime.places, warnings: [] };
  }
  if (request.ends_at === undefined) throw new OfflineCodeRefused('ends_at', 'An offline code needs ends_at unless it is one-time use');
  const requested = Date.parse(request.ends_at) - start;
  if (request.max_time_rounding === 'day') {
    const days = Math.round(requested / DAY);
    const { minMs, maxMs, places } = algoPinRules.daily;
    if (days * DAY < minMs || days * DAY > maxMs) {
      throw new OfflineCodeRefused('ends_at', 'A daily-bound offline code lasts 29 to 367 days; use max_time_rounding 1hour for shorter codes');
    }
    return { kind: 'daily', starts_at: iso(start), ends_at: iso(start + days * DAY), slot: `day:${iso(start).slice(0, 10)}`, places, warnings: [mustUseWithin24h] };
  }
  const hours = Math.round(requested / HOUR);
  const { minMs, maxMs, places } = algoPinRules.hourly;
  if (hours * HOUR < minMs) throw new OfflineCodeRefused('ends_at', 'An hourly-bound offline code lasts at least 1 hour');
  if (hours * HOUR > maxMs) {
    throw new OfflineCodeRefused('max_time_rounding', 'An hourly-bound offline code lasts at most 672 hours (28 days); use max_time_rounding 1d for a daily-bound code');
  }
  return { kind: 'hourly', starts_at: iso(start), ends_at: iso(start + hours * HOUR), slot: hourSlot, places, warnings: hours > 24 ? [mustUseWithin24h] : [] };
}

/**
 * algoPIN-style offline codes of a sandbox lock: the PIN is an HMAC of the window and the
 * code's place in its slot under the lock's secret, so the lock, which holds the same secret,
 * can check it with no connection. `secretOf` reads the secret from the provider's state.
 */
export function algoPinCodes(secretOf: (device: DeviceRecord) => string | undefined): OfflineCodes {
  return {
    window: (_device, request) => algoPinWindow(request),
    async pin(device, window, place) {
      const secret = secretOf(device);
      if (secret === undefined) throw new Error('This sandbox lock has no offline code secret');
      const digest = createHmac('sha256', Buffer.from(secret, 'hex')).update(`${window.kind}|${window.starts_at}|${window.ends_at}|${place}`).digest();
      // Nine digits from the digest, the first never 0: algoPINs are 9 digits long.
      const value = digest.readBigUInt64BE(0) % 10n ** BigInt(algoPinRules.pinLength - 1);
      return `${1 + ((digest[8] ?? 0) % 9)}${value.toString().padStart(algoPinRules.pinLength - 1, '0')}`;
    },
  };
}
