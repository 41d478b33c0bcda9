/**
 * A keypad entry as a lock's provider reports it (an inbound report, like a keypad change):
 * the lock decided, the provider says what it saw. Latchkey maps it to its own code.
 */
export interface EntryReport {
  /** The provider's id for this one entry: a repeated report carries the same, and is not counted twice. */
  entry_id: string;
  /** When the lock saw it. */
  occurred_at: string;
  outcome: 'unlocked' | 'denied';
  /** Where the lock keeps the code it matched (a slot, an upstream id), when it matched one. */
  provider_ref?: string;
  /** Latchkey's id of the code, when the provider already knows it. */
  access_code_id?: string;
  /** The PIN entered, when the lock reports it (a refused PIN): mapped to a code, never logged or sent on. */
  code?: string;
  /** The lock's own reason for a refusal, when it gives one. */
  reason?: 'unknown_code' | 'expired_code';
}

/** The claim that makes an entry count once: one per device and provider entry id. */
export interface EntryClaim {
  workspace_id: string;
  device_id: string;
  entry_id: string;
  occurred_at: string;
}

/** What became of a reported entry. */
export interface EntryResult {
  /** False when the entry was reported before (nothing was written again). */
  recorded: boolean;
  event_type?: 'lock.unlocked' | 'lock.access_denied';
  access_code_id?: string;
}
