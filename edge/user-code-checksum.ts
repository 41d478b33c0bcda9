import { CRC16_CCITT } from '@zwave-js/core/safe';

/**
 * The User Code Checksum (User Code CC v2, "User Code Checksum Report"): a CRC-CCITT
 * (polynomial 0x1021, initial value 0x1D0F) over every slot that is not available, in slot
 * order, each as its user id (2 bytes, big-endian), its status (1 byte) and its code (ASCII);
 * 0x0000 when no slot holds a code. The agent computes it over what it last read or set, and
 * compares it with what the lock answers: equal, and the lock holds what the agent knows.
 */

const enabled = 0x01;

/** The checksum of slots holding these codes ("" = empty), each code enabled (what the agent writes). */
export function userCodeChecksum(slots: ReadonlyMap<number, string>): number {
  const parts: number[] = [];
  for (const slot of [...slots.keys()].sort((a, b) => a - b)) {
    const code = slots.get(slot) ?? '';
    if (code === '') continue;
    parts.push(slot >> 8, slot & 0xff, enabled, ...Buffer.from(code, 'ascii'));
  }
  return parts.length === 0 ? 0 : CRC16_CCITT(Uint8Array.from(parts), 0x1d0f);
}
