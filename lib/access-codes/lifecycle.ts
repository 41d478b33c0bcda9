import type { DeviceTraits } from '../devices/lock-provider';
import type { AccessCode, PendingMutation } from './schemas';

/** Timing rules of the lifecycle engine, from configuration. */
export interface LifecycleSettings {
  /** How long before starts_at a just-in-time lock is programmed. */
  jitLeadSeconds: number;
  /** How long before each window of a recurring schedule a lock that does not keep the schedule is programmed. */
  recurringLeadSeconds: number;
  /** How far ahead of starts_at a natively scheduling lock is loaded. */
  nativeLeadHours: number;
  /** A change still not on the lock after this long gets a delay warning. */
  delayWarningMs: number;
  /** Failed attempts before setting is given up (removal is never given up). */
  maxAttempts: number;
  retryBaseMs: number;
  retryCapMs: number;
  /** Every lock whose keypad can be read is read whole at least this often, idle or not. */
  lockSweepMs: number;
}

const maxIso = (a: string, b: string) => (a > b ? a : b);

/** Whether a time-bound code goes onto this lock with its window (the lock clears it itself). */
export const usesNativeScheduling = (traits: Pick<DeviceTraits, 'timeWindow'>, preferNative: boolean): boolean => preferNative && traits.timeWindow === 'native';

/** How long before starts_at a time-bound code goes onto the lock. */
export const leadMs = (native: boolean, settings: LifecycleSettings): number => (native ? settings.nativeLeadHours * 3_600_000 : settings.jitLeadSeconds * 1000);

/**
 * When the engine must first act on a code that is not on the lock yet: at once for an
 * ongoing code, else ahead of starts_at by the lead that fits the lock.
 */
export function firstDueAt(code: Pick<AccessCode, 'type' | 'starts_at'>, native: boolean, settings: LifecycleSettings, now: Date): string {
  const nowIso = now.toISOString();
  if (code.type === 'ongoing' || code.starts_at === undefined) return nowIso;
  return maxIso(nowIso, new Date(Date.parse(code.starts_at) - leadMs(native, settings)).toISOString());
}

/** The pending mutation that says a code is on its way to the lock. */
export function creationMutation(dueAt: string, now: Date): PendingMutation {
  const nowIso = now.toISOString();
  return dueAt <= nowIso
    ? { mutation_code: 'creating', message: 'Setting the access code on the device', created_at: nowIso }
    : {
        mutation_code: 'deferring_creation',
        message: 'Waiting until closer to the start time to set the access code on the device',
        created_at: nowIso,
        scheduled_at: dueAt,
      };
}
