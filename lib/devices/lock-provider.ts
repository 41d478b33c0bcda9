import type { DeviceRecord } from './schemas';

/** What the lock should hold for one code. A window means the lock enforces it itself. */
export interface DesiredEntry {
  access_code_id: string;
  code: string;
  starts_at?: string;
  ends_at?: string;
}

/** What the lock holds for one code, and whether a change to it is still under way. */
export interface KeypadEntry extends DesiredEntry {
  state: 'adding' | 'present' | 'removing';
}

export type ProviderErrorCode = 'device_offline' | 'no_space_for_access_code_on_device' | 'rejected_by_device' | 'transient';

/** A lock refused or failed an operation. `permanent` errors are not retried. */
export class ProviderError extends Error {
  constructor(
    readonly code: ProviderErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ProviderError';
  }
  get permanent(): boolean {
    return this.code === 'rejected_by_device';
  }
}

/**
 * A lock integration: the sandbox locks today, real protocols (Z-Wave, vendor clouds) later.
 * Operations are idempotent and asynchronous: program/remove ask the lock, `read` tells
 * what it holds now. Failures are ProviderErrors.
 */
export interface LockProvider {
  capabilities(device: DeviceRecord): { nativeScheduling: boolean; offlineCodes: boolean; slotCount: number };
  program(device: DeviceRecord, entry: DesiredEntry): Promise<void>;
  remove(device: DeviceRecord, accessCodeId: string): Promise<void>;
  read(device: DeviceRecord, accessCodeId: string): Promise<KeypadEntry | undefined>;
}

/** A stored keypad slot of a sandbox lock; `settles_at` is when the pending change takes effect. */
export interface SandboxSlot extends DesiredEntry {
  workspace_id: string;
  device_id: string;
  state: 'adding' | 'present' | 'removing';
  settles_at: string;
}

/** The keypad memory of sandbox locks, kept in the table so it outlives a Lambda instance. */
export interface SandboxKeypadStore {
  get(workspaceId: string, deviceId: string, accessCodeId: string): Promise<SandboxSlot | undefined>;
  /**
   * Writes a code's slot: rewrites the one it holds, or takes a free one atomically against
   * concurrent writes. False when the code holds none and all `capacity` slots are in use.
   */
  put(slot: SandboxSlot, capacity: number): Promise<boolean>;
  /** Rewrites the slot a code is known to hold. */
  replace(slot: SandboxSlot): Promise<void>;
  /** Frees the slot a code holds, if any. */
  delete(workspaceId: string, deviceId: string, accessCodeId: string): Promise<void>;
}
