import type { DesiredEntry } from '../../devices/lock-provider';

/** A stored keypad slot of a sandbox lock; `settles_at` is when the pending change takes effect. */
export interface SandboxSlot extends DesiredEntry {
  workspace_id: string;
  device_id: string;
  state: 'adding' | 'present' | 'removing';
  settles_at: string;
  /** Set outside Latchkey (at the keypad, in the vendor's app). */
  external?: boolean;
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
  /** Every slot of the lock (one query). */
  list(workspaceId: string, deviceId: string): Promise<SandboxSlot[]>;
}
