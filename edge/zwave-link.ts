/**
 * What the edge agent needs from a Z-Wave network, whoever owns the controller: zwave-js in
 * this process (a USB stick or a TCP serial bridge), or an existing Z-Wave JS server such as
 * the one Home Assistant runs.
 */

export type LockStatus = 'alive' | 'asleep' | 'dead' | 'unknown';

export interface LockNode {
  nodeId: number;
  name: string;
  manufacturer: string;
  model: string;
  /** User Code slots the lock has. */
  capacity: number;
  /** Characters the lock takes in a code, when it reports them (User Code v2). */
  codeChars?: string;
  status: LockStatus;
  /** The lock has Door Lock CC, and this link can move its bolt (`moveBolt`). */
  doorLock?: boolean;
}

export type LinkEvent =
  /** A lock finished its interview (or came back) and can be used. */
  | { type: 'lock_ready'; nodeId: number }
  /** A slot may have changed on the lock itself (keypad programming, the vendor's app). */
  | { type: 'slot_changed'; nodeId: number; slot: number }
  /** Every slot may have changed ("all user codes deleted"). */
  | { type: 'all_slots_changed'; nodeId: number }
  | { type: 'keypad_unlock'; nodeId: number; slot?: number }
  /** The lock refused a credential entered at its keypad. */
  | { type: 'keypad_denied'; nodeId: number }
  | { type: 'status'; nodeId: number; status: LockStatus };

export interface ZwaveLink {
  /** Locks (nodes with User Code) that are ready. */
  locks(): LockNode[];
  /** Reads one slot from the lock itself ("" = empty). Throws when the lock does not answer. */
  readSlot(nodeId: number, slot: number): Promise<string>;
  /**
   * Asks the lock for its User Code Checksum (User Code CC v2): one command, whatever the
   * number of slots. Undefined when the lock has none (User Code v1, or a v2 lock that does not
   * support it), or the link cannot ask. Throws when the lock does not answer.
   */
  userCodeChecksum?(nodeId: number): Promise<number | undefined>;
  /** Writes one slot ("" clears it). Resolves once the lock acknowledged the command, not once it took the code. */
  writeSlot(nodeId: number, slot: number, code: string): Promise<void>;
  /**
   * Locks or unlocks through Door Lock CC, then reads the lock's state back: whether it is now
   * locked. Absent where the link cannot (a Z-Wave JS server link). Throws when the lock does not answer.
   */
  moveBolt?(nodeId: number, locked: boolean): Promise<boolean>;
  onEvent(listener: (event: LinkEvent) => void): void;
  close(): Promise<void>;
}

/** Access Control notification events that concern user codes or the keypad. */
export const accessControlEvents = {
  keypadUnlock: 0x06,
  allCodesDeleted: 0x0c,
  codeDeleted: 0x0d,
  codeAdded: 0x0e,
  invalidCredential: 0x32,
} as const;
export const accessControlType = 0x06;

/** Turns an Access Control notification into link events; other notifications give none. */
export function accessControlEvent(nodeId: number, type: number, event: number, parameters: unknown): LinkEvent | undefined {
  if (type !== accessControlType) return undefined;
  const userId = typeof parameters === 'object' && parameters !== null && 'userId' in parameters && typeof parameters.userId === 'number' ? parameters.userId : undefined;
  switch (event) {
    case accessControlEvents.keypadUnlock:
      return { type: 'keypad_unlock', nodeId, ...(userId === undefined ? {} : { slot: userId }) };
    case accessControlEvents.invalidCredential:
      return { type: 'keypad_denied', nodeId };
    case accessControlEvents.allCodesDeleted:
      return { type: 'all_slots_changed', nodeId };
    case accessControlEvents.codeDeleted:
    case accessControlEvents.codeAdded:
      return userId === undefined ? { type: 'all_slots_changed', nodeId } : { type: 'slot_changed', nodeId, slot: userId };
    default:
      return undefined;
  }
}
