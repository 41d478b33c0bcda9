import type { EntryReport } from './entries';
import type { CodeConstraint, DeviceRecord, ProviderName } from './schemas';
import type { RecurringSchedule } from './weekly-schedule';

/** What the lock should hold for one code. A window (or a weekly schedule) means the lock enforces it itself. */
export interface DesiredEntry {
  access_code_id: string;
  code: string;
  /** The code's name, for providers that show it (a Seam upstream); locks may ignore it. */
  name?: string;
  starts_at?: string;
  ends_at?: string;
  /** Only for a lock whose traits say `weeklySchedules`: the code works in these windows alone. */
  recurring_schedule?: RecurringSchedule;
}

/** A problem the provider reports on a code (an upstream Seam error or warning, say). */
export interface ProviderIssue {
  code: string;
  message: string;
}

/** What the lock holds for one code, and whether a change to it is still under way. */
export interface KeypadEntry extends DesiredEntry {
  state: 'adding' | 'present' | 'removing';
  /** The provider's own id for the code on the lock, when it has one. */
  provider_ref?: string;
  /** Errors and warnings the provider reports on the code, carried onto the Latchkey code. */
  errors?: ProviderIssue[];
  warnings?: ProviderIssue[];
}

/** Which code an operation is about: Latchkey's id, and what the provider returned for it before. */
export interface CodeHandle {
  access_code_id: string;
  /** The provider's id for the code, once a program call returned one. */
  provider_ref?: string;
  /** The PIN last asked of the lock, so a provider without a stored ref can find the code again. */
  code?: string;
}

/**
 * What a provider declares about one of its devices. The engine decides from these alone; it
 * never reads a provider's own fields.
 */
export interface DeviceTraits {
  /** PIN lengths, constraints and slot count the lock enforces. */
  codeRules: { lengths: readonly number[]; constraints: readonly CodeConstraint[]; slotCount: number };
  /** Who keeps a time-bound code's window: the lock itself, or Latchkey by programming just in time. */
  timeWindow: 'native' | 'just_in_time';
  /** The lock or its cloud picks the PIN; a client may not choose one. */
  choosesPin: boolean;
  /** A code can be taken off the lock remotely. */
  canRemoveRemotely: boolean;
  /** How a change is known to have reached the lock. */
  confirmation: 'read_back' | 'polling' | 'webhook';
  /** How long after asking for a change the engine checks what happened. */
  verifyAfterMs: number;
  offlineCodes: boolean;
  /** The lock keeps a weekly schedule itself (as Nuki locks do): a recurring code goes on once, with its schedule. */
  weeklySchedules?: boolean;
  /** The provider keeps a code's name where people see it (a Seam upstream), so a rename is sent to it. */
  showsNames?: boolean;
  /** How fast the provider takes code calls for this device and its account or hub (its published limits); none: unpaced. */
  callLimits?: CallLimits;
}

/** At most `calls` calls in any span of `perMs` (a sliding window, not fixed ones). */
export interface RateLimit {
  calls: number;
  perMs: number;
}

/**
 * Limits on code calls: creations, updates and deletions, each counted on its own, and `any`,
 * every code call together (one command at a time: one call in each window as long as a
 * command takes).
 */
export type CallCounts = Partial<Record<CodeCall | 'any', RateLimit>>;

/**
 * A provider's limits on code calls: per device (the counts at the top), and per connected
 * account or hub (`account`: every device behind one upstream account, gateway or hub
 * together). A call takes a turn of every limit that applies to it.
 */
export type CallLimits = CallCounts & { account?: CallCounts };
export type CodeCall = 'create' | 'update' | 'delete';

export type ProviderErrorKind =
  /** The lock (or its hub) is not reachable; shown as `device_offline`. */
  | 'device_offline'
  /** The provider itself is down or rate-limiting: retried with backoff, never a failed code. */
  | 'provider_unavailable'
  /** The provider refused this PIN: permanent, never retried. */
  | 'rejected_pin'
  /** Every code slot of the lock is taken. */
  | 'no_space_for_access_code_on_device'
  /** The lock did not answer this time; counts towards giving up. */
  | 'transient';

/** A lock or its provider refused or failed an operation. Messages never carry a PIN or a credential. */
export class ProviderError extends Error {
  /** When the provider asked to be called again no sooner than this (a 429's Retry-After). */
  readonly retryAfterMs?: number;
  /** The provider refused the account's credential: the account needs reconnecting. */
  readonly credentialRefused: boolean;

  constructor(
    readonly kind: ProviderErrorKind,
    message: string,
    options: { retryAfterMs?: number; credentialRefused?: boolean } = {},
  ) {
    super(message);
    this.name = 'ProviderError';
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
    this.credentialRefused = options.credentialRefused ?? false;
  }

  get permanent(): boolean {
    return this.kind === 'rejected_pin';
  }
}

/**
 * A lock integration (sandbox locks, a customer's Seam workspace, Z-Wave hubs). Operations are
 * idempotent and asynchronous: program/remove ask for a change, `read` tells what the lock
 * holds now. A retried program never creates a second code. Failures are ProviderErrors.
 */
export interface LockProvider {
  readonly name: ProviderName;
  traits(device: DeviceRecord): DeviceTraits;
  /** Puts `entry` on the lock (or changes the code it already holds); returns the provider's id for it. */
  program(device: DeviceRecord, entry: DesiredEntry, handle: CodeHandle): Promise<{ provider_ref?: string }>;
  remove(device: DeviceRecord, handle: CodeHandle): Promise<void>;
  read(device: DeviceRecord, handle: CodeHandle): Promise<KeypadEntry | undefined>;
  /** Present for providers whose devices take offline codes (`traits(device).offlineCodes` says which). */
  readonly offlineCodes?: OfflineCodes;
  /**
   * Every code the lock holds, managed or not, for providers that can see them all: what a
   * keypad, the vendor's app or an earlier owner put there shows up here. The engine
   * discovers unmanaged codes, and codes changed at the lock, from it.
   */
  listEntries?(device: DeviceRecord): Promise<LockEntry[]>;
  /** Present for sandbox providers. */
  readonly simulator?: LockSimulator;
  /** Present where a person at the keypad can be simulated: sandbox locks, and Z-Wave mock locks in local mode (not real Z-Wave locks). */
  readonly keypad?: KeypadSimulator;
  /** Present for providers that lock and unlock remotely (`device.can_remotely_lock` / `can_remotely_unlock` say which devices). */
  readonly bolt?: RemoteBolt;
}

/** A remote lock or unlock asked of a lock, named by the action attempt that tracks it. */
export interface BoltRequest {
  action_attempt_id: string;
  action: 'lock' | 'unlock';
  /** When Latchkey asked. */
  requested_at: string;
}

/** What the lock reports about a request: not yet, done (and the bolt's state now), or refused. */
export type BoltReport = { status: 'pending' } | { status: 'done'; locked: boolean } | { status: 'failed'; message: string };

/**
 * Remote lock and unlock. `request` asks the lock and returns at once; the lock reports when it
 * has moved its bolt, which `check` reads (the engine asks after `traits(device).verifyAfterMs`).
 * Failures are ProviderErrors.
 */
export interface RemoteBolt {
  /** How soon after asking (and between checks) the lock's report is read. */
  readonly checkAfterMs: number;
  request(device: DeviceRecord, request: BoltRequest): Promise<void>;
  check(device: DeviceRecord, request: BoltRequest): Promise<BoltReport>;
}

/** A code on the lock, whoever put it there. */
export interface LockEntry {
  /** Where the lock keeps it (a slot number, an upstream id); for a Latchkey code, its `provider_ref` or else its access_code_id. */
  provider_ref: string;
  code: string;
  /** The Latchkey code that holds this entry, when the lock still holds Latchkey's value. */
  access_code_id?: string;
  name?: string;
  starts_at?: string;
  ends_at?: string;
  /** A change to it still under way (absent: present). */
  state?: 'adding' | 'present' | 'removing';
}

/** What a client asks of an offline code: its window as sent, and how far it may be rounded. */
export interface OfflineCodeRequest {
  starts_at: string;
  /** Absent for a one-time-use code, which starts at starts_at and works once. */
  ends_at?: string;
  one_time_use: boolean;
  /** How far the window may be moved to fit the lock's algorithm. */
  max_time_rounding: 'hour' | 'day';
}

/** The window a lock's offline algorithm takes for a request, once rounded to what it can express. */
export interface OfflineCodeWindow {
  kind: 'hourly' | 'daily' | 'one_time';
  starts_at: string;
  /** The end of the code's window; for a one-time code, the end of the time in which it must be used. */
  ends_at: string;
  /** Codes whose windows share a slot compete for its few places (algoPIN: codes of one hour, or one day). */
  slot: string;
  places: number;
  /** Warnings the brand attaches to such a code (`igloo_algopin_must_be_used_within_24_hours`). */
  warnings: { warning_code: string; message: string }[];
}

/** An offline code request the lock's algorithm cannot express; `field` names the parameter at fault. */
export class OfflineCodeRefused extends Error {
  constructor(
    readonly field: 'starts_at' | 'ends_at' | 'max_time_rounding' | 'is_one_time_use',
    message: string,
  ) {
    super(message);
    this.name = 'OfflineCodeRefused';
  }
}

/**
 * Offline codes (igloohome algoPIN, dormakaba Oracode): PINs computed from the lock's secret
 * and a time window, which the lock checks by itself. Nothing is sent to the lock, so they
 * work while it is offline; once given out, a code cannot be changed or taken back.
 */
export interface OfflineCodes {
  /** The window the algorithm takes for a request; throws OfflineCodeRefused. No I/O. */
  window(device: DeviceRecord, request: OfflineCodeRequest): OfflineCodeWindow;
  /** The PIN of a window at one place of its slot: the same inputs always give the same PIN. */
  pin(device: DeviceRecord, window: OfflineCodeWindow, place: number): Promise<string>;
}

/** A change made on the lock outside Latchkey: its PIN (or window) replaced, or the code taken off. */
export type ExternalChange = { change_type: 'modified'; code: string } | { change_type: 'removed' };

/**
 * Sandbox locks only: act on the lock as a person at its keypad or in the vendor's app would,
 * so that codes set and changed outside Latchkey can be seen and handled.
 */
export interface LockSimulator {
  /** Puts a code on the lock that Latchkey did not set. False when the lock has no free slot. */
  putExternalCode(device: DeviceRecord, entry: { ref: string; code: string; name: string }): Promise<boolean>;
  /** Changes or removes a code on the lock behind Latchkey's back. */
  changeExternally(device: DeviceRecord, handle: CodeHandle, change: ExternalChange): Promise<void>;
}

/** A person at a lock's keypad, simulated (`/locks/simulate/keypad_code_entry`). */
export interface KeypadSimulator {
  /**
   * A person enters `code` at the keypad: the lock decides as a real one would (only a code it
   * holds, inside its window). The answer is the provider's report of the entry, or undefined
   * when the lock reports it through the provider's own inbound path (a Z-Wave hub's events),
   * so that it is recorded once, from there.
   */
  enterCode(device: DeviceRecord, entry: { entry_id: string; code: string }): Promise<EntryReport | undefined>;
}

/** Picks the provider of each device. */
export interface ProviderRegistry {
  for(device: DeviceRecord): LockProvider;
}
