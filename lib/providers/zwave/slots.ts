import type { LockShadow } from '../../hub-contract/shadow-documents';

/** One slot as both sides see it: what Latchkey wants there (and for which code), what the lock holds, what it refused. */
export interface SlotState {
  slot: number;
  desired?: { code: string; at: number };
  owner?: string;
  reported?: { code: string; at: number };
  refused?: { code: string; at: number };
}

/** A lock shadow read slot by slot. */
export class SlotView {
  readonly version: number;
  readonly managedSlots: number;
  private readonly slots = new Map<number, SlotState>();

  constructor(shadow: LockShadow) {
    this.version = shadow.version;
    this.managedSlots = shadow.state.reported?.lock?.managed_slots ?? 0;
    const at = (stamps: Record<string, { timestamp: number }> | undefined, key: string) => stamps?.[key]?.timestamp ?? 0;
    const entry = (key: string) => {
      const slot = Number(key);
      const existing = this.slots.get(slot) ?? { slot };
      this.slots.set(slot, existing);
      return existing;
    };
    const { desired, reported } = shadow.state;
    const meta = shadow.metadata;
    for (const [key, code] of Object.entries(desired?.slots ?? {})) entry(key).desired = { code, at: at(meta.desired?.slots, key) };
    for (const [key, owner] of Object.entries(desired?.owners ?? {})) entry(key).owner = owner;
    for (const [key, code] of Object.entries(reported?.slots ?? {})) entry(key).reported = { code, at: at(meta.reported?.slots, key) };
    for (const [key, code] of Object.entries(reported?.refused ?? {})) entry(key).refused = { code, at: at(meta.reported?.refused, key) };
  }

  state(slot: number): SlotState | undefined {
    return this.slots.get(slot);
  }

  /** The slot Latchkey gave this code, if it still holds it. */
  slotOf(accessCodeId: string): SlotState | undefined {
    for (const state of this.slots.values()) if (state.owner === accessCodeId) return state;
    return undefined;
  }

  /** The lowest managed slot that Latchkey does not use and the lock holds nothing in. */
  freeSlot(): number | undefined {
    for (let slot = 1; slot <= this.managedSlots; slot++) {
      const state = this.slots.get(slot);
      if (!state?.desired?.code && !state?.reported?.code) return slot;
    }
    return undefined;
  }

  /** Codes the lock holds, by slot. */
  held(): { slot: number; code: string; owner?: string }[] {
    return [...this.slots.values()]
      .filter((s) => s.slot <= this.managedSlots && s.reported?.code)
      .map((s) => ({ slot: s.slot, code: s.reported?.code ?? '', ...(s.owner !== undefined && s.desired?.code ? { owner: s.owner } : {}) }))
      .sort((a, b) => a.slot - b.slot);
  }
}

/** The lock's value changed after Latchkey last wrote the slot (at the keypad, or in the vendor's app). */
export const changedOnLock = (state: SlotState): boolean => state.reported !== undefined && state.desired !== undefined && state.reported.at > state.desired.at;

/** The lock refused the PIN Latchkey wants in the slot now. */
export const refusedNow = (state: SlotState): boolean => state.desired !== undefined && state.desired.code !== '' && state.refused?.code === state.desired.code && state.refused.at >= state.desired.at;
