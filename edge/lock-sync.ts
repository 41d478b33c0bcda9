import { type JsonObject, isObject } from '../lib/hub-contract/shadow-state';
import { boltRequestTtlSeconds, lockDeltaSchema, lockShadowName, lockShadowSchema, type LockShadow, type ReportedBolt, type ReportedLock } from '../lib/hub-contract/shadow-documents';
import type { ShadowClient } from './shadow-client';
import { userCodeChecksum } from './user-code-checksum';
import type { LockNode, LockStatus, ZwaveLink } from './zwave-link';

export interface AgentLog {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

export interface LockSettings {
  /** Slots 1..maxSlots are reported and may be written (bounded by the shadow's 8 KB). */
  maxSlots: number;
  codeLengths: { min: number; max: number };
}

type Stamps = Record<string, { timestamp: number }> | undefined;

/** A desired value, and when Latchkey wrote it (the shadow's per-leaf timestamp, in seconds). */
export interface DesiredMark {
  code: string;
  at: number;
}

/**
 * Which desired slots to write. Each desired value is acted on once: a refused PIN is not
 * retried, and a slot changed at the keypad after Latchkey's last word on it is reported, not
 * reverted (Latchkey decides whether to restore it, by writing its value again). With no
 * memory of a slot (after a restart), a desired value counts when Latchkey wrote it at or
 * after the lock's value was last reported, so changes queued while the hub was away apply.
 */
export function slotsToApply(input: {
  managedSlots: number;
  lock: ReadonlyMap<number, string>;
  desired: Record<string, string> | undefined;
  desiredStamps: Stamps;
  reportedStamps: ReadonlyMap<number, number>;
  acted: ReadonlyMap<number, DesiredMark>;
}): { slot: number; code: string; at: number }[] {
  const out: { slot: number; code: string; at: number }[] = [];
  for (const [key, code] of Object.entries(input.desired ?? {})) {
    const slot = Number(key);
    if (!Number.isInteger(slot) || slot < 1 || slot > input.managedSlots) continue;
    if (input.lock.get(slot) === code) continue;
    const at = input.desiredStamps?.[key]?.timestamp ?? 0;
    const done = input.acted.get(slot);
    if (done !== undefined) {
      if (done.code === code && done.at === at) continue;
    } else {
      const reportedAt = input.reportedStamps.get(slot);
      if (reportedAt !== undefined && at < reportedAt) continue;
    }
    out.push({ slot, code, at });
  }
  return out.sort((a, b) => a.slot - b.slot);
}

/**
 * The bolt request to carry out, if any: one Latchkey wrote (`desired.bolt`), not yet answered
 * (`reported.bolt`) nor acted on by this agent, and written less than `boltRequestTtlSeconds`
 * ago: a request that waited (an agent restarting, a hub back online) never moves the bolt late.
 */
export function boltToApply(input: {
  desired: { request?: string | undefined; locked?: boolean | undefined } | undefined;
  /** When Latchkey wrote the request (the shadow's per-leaf timestamp, in seconds). */
  requestedAt: number | undefined;
  answered: string | undefined;
  acted: string | undefined;
  nowSeconds: number;
}): { request: string; locked: boolean } | undefined {
  const { request, locked } = input.desired ?? {};
  if (request === undefined || locked === undefined || request === input.answered || request === input.acted) return undefined;
  if (input.requestedAt === undefined || input.nowSeconds - input.requestedAt > boltRequestTtlSeconds) return undefined;
  return { request, locked };
}

const stampsOf = (metadata: unknown, part: 'reported' | 'desired', field: string): Map<number, number> => {
  const out = new Map<number, number>();
  const section = isObject(metadata) ? metadata[part] : undefined;
  const slots = isObject(section) ? section[field] : undefined;
  if (!isObject(slots)) return out;
  for (const [key, meta] of Object.entries(slots)) {
    if (isObject(meta) && typeof meta.timestamp === 'number') out.set(Number(key), meta.timestamp);
  }
  return out;
};

/**
 * Keeps one lock and its shadow in step. Work on a lock runs one task at a time, so a delta,
 * a keypad change and a resync never interleave their writes and reads.
 */
export class LockSync {
  readonly shadowName: string;
  /** What the lock holds, as last read. */
  private readonly lock = new Map<number, string>();
  /** What the shadow's reported section holds, and when each slot was reported. */
  private readonly reported = new Map<number, string>();
  private readonly reportedAt = new Map<number, number>();
  /** The desired value last acted on per slot. */
  private readonly acted = new Map<number, DesiredMark>();
  private queue: Promise<void> = Promise.resolve();
  /** The last bolt request this agent carried out (or refused), and the bolt as last read. */
  private boltActed: string | undefined;
  private locked: boolean | undefined;
  private readOnce = false;
  /**
   * The User Code Checksum the lock answers while it holds what the agent last read or set;
   * undefined when unknown (the lock has none, or the agent cannot follow its own writes).
   */
  private checksum: number | undefined;
  /** The agent's checksum of the slots it knows matched the lock's last answer (every code enabled, none beyond the managed slots), so it can follow its own writes. */
  private followsChecksum = false;
  private status: LockStatus;

  constructor(
    private readonly link: ZwaveLink,
    private readonly shadows: ShadowClient,
    private node: LockNode,
    private readonly settings: LockSettings,
    private readonly log: AgentLog,
    private readonly agentVersion: string,
  ) {
    this.shadowName = lockShadowName(node.nodeId);
    this.status = node.status;
  }

  private get managedSlots() {
    return Math.min(this.node.capacity, this.settings.maxSlots);
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.queue.then(task).catch((error: unknown) => {
      this.log.warn('lock task failed', { node_id: this.node.nodeId, error: error instanceof Error ? error.name : 'unknown' });
    });
    this.queue = run;
    return run;
  }

  private lockInfo(): ReportedLock {
    return {
      node_id: this.node.nodeId,
      name: this.node.name.slice(0, 100),
      manufacturer: this.node.manufacturer.slice(0, 100),
      model: this.node.model.slice(0, 100),
      capacity: this.node.capacity,
      managed_slots: this.managedSlots,
      code_lengths: this.settings.codeLengths,
      ...(this.node.codeChars ? { code_chars: this.node.codeChars.slice(0, 128) } : {}),
      status: this.status,
      door_lock: this.node.doorLock === true && this.link.moveBolt !== undefined,
    };
  }

  /** Moves the bolt as Latchkey asked and reports the outcome under the request's id. */
  private async moveBolt(wanted: { request: string; locked: boolean } | undefined): Promise<void> {
    const move = this.link.moveBolt?.bind(this.link);
    if (wanted === undefined || move === undefined) return;
    this.boltActed = wanted.request;
    let bolt: ReportedBolt;
    try {
      this.locked = await move(this.node.nodeId, wanted.locked);
      bolt = { request: wanted.request, locked: this.locked, result: this.locked === wanted.locked ? 'done' : 'failed' };
    } catch (error) {
      this.log.warn('lock did not move its bolt', { node_id: this.node.nodeId, error: error instanceof Error ? error.name : 'unknown' });
      bolt = { request: wanted.request, locked: this.locked ?? !wanted.locked, result: 'failed' };
    }
    this.log.info('bolt moved', { node_id: this.node.nodeId, locked: bolt.locked, outcome: bolt.result });
    await this.shadows.update(this.shadowName, { reported: { bolt } });
  }

  /** The lock's User Code Checksum, or undefined when it has none (or did not answer: the slots are read instead). */
  private async askChecksum(): Promise<number | undefined> {
    const ask = this.link.userCodeChecksum?.bind(this.link);
    if (ask === undefined) return undefined;
    try {
      return await ask(this.node.nodeId);
    } catch (error) {
      this.log.warn('lock did not give its user code checksum', { node_id: this.node.nodeId, error: error instanceof Error ? error.name : 'unknown' });
      return undefined;
    }
  }

  /**
   * Reads every managed slot. `checksum`: the lock's answer asked just before (asked here when
   * not given), which the slots read now stand for. A change between the two makes the next
   * answer differ, so it costs one more read, never a missed change.
   */
  private async readAll(checksum?: number): Promise<void> {
    const answer = checksum ?? (await this.askChecksum());
    for (let slot = 1; slot <= this.managedSlots; slot++) this.lock.set(slot, await this.link.readSlot(this.node.nodeId, slot));
    this.readOnce = true;
    this.checksum = answer;
    this.followsChecksum = answer !== undefined && answer === userCodeChecksum(this.lock);
  }

  /** After the agent's own writes and single-slot reads: the checksum the lock should now answer, when the agent can compute it. */
  private followChecksum(): void {
    this.checksum = this.followsChecksum ? userCodeChecksum(this.lock) : undefined;
  }

  /** Sends what changed; remembers what the shadow now holds only once IoT Core accepted it. */
  private async report(slots: Record<string, string>, refused: Record<string, string> = {}, withLock = false): Promise<void> {
    const state: JsonObject = {};
    if (Object.keys(slots).length > 0) state.slots = slots;
    if (Object.keys(refused).length > 0) state.refused = refused;
    if (withLock) {
      state.lock = this.lockInfo();
      state.agent = { version: this.agentVersion };
    }
    if (Object.keys(state).length === 0) return;
    const accepted = await this.shadows.update(this.shadowName, { reported: state });
    for (const [key, code] of Object.entries(slots)) this.reported.set(Number(key), code);
    for (const [slot, at] of stampsOf(accepted.metadata, 'reported', 'slots')) this.reportedAt.set(slot, at);
  }

  /** Writes each slot and reads it back: many locks drop a code they refuse without a word. */
  private async apply(changes: { slot: number; code: string; at: number }[]): Promise<void> {
    const slots: Record<string, string> = {};
    const refused: Record<string, string> = {};
    for (const { slot, code, at } of changes) {
      try {
        await this.link.writeSlot(this.node.nodeId, slot, code);
      } catch (error) {
        this.log.warn('lock did not take a write', { node_id: this.node.nodeId, slot, error: error instanceof Error ? error.name : 'unknown' });
        continue;
      }
      const held = await this.link.readSlot(this.node.nodeId, slot);
      this.acted.set(slot, { code, at });
      this.lock.set(slot, held);
      slots[slot] = held;
      refused[slot] = code !== '' && held !== code ? code : '';
      this.log.info('slot written', { node_id: this.node.nodeId, slot, outcome: held === code ? (code === '' ? 'cleared' : 'set') : 'refused' });
    }
    if (changes.length > 0) this.followChecksum();
    await this.report(slots, refused);
  }

  /** Full pass: (first time) read the lock, read the shadow, apply what Latchkey asked for, report the difference. */
  sync(): Promise<void> {
    return this.enqueue(() => this.syncNow());
  }

  private async syncNow(): Promise<void> {
    if (!this.readOnce) await this.readAll();
    const document = await this.shadows.get(this.shadowName);
    const shadow = document === undefined ? undefined : lockShadowSchema.safeParse(document);
    if (shadow !== undefined && !shadow.success) this.log.warn('shadow document not understood', { node_id: this.node.nodeId });
    const parsed = shadow?.success ? shadow.data : undefined;
    this.reported.clear();
    this.reportedAt.clear();
    for (const [key, code] of Object.entries(parsed?.state.reported?.slots ?? {})) this.reported.set(Number(key), code);
    for (const [slot, at] of stampsOf(document?.metadata, 'reported', 'slots')) this.reportedAt.set(slot, at);
    await this.apply(
      slotsToApply({
        managedSlots: this.managedSlots,
        lock: this.lock,
        desired: parsed?.state.desired?.slots,
        desiredStamps: parsed?.metadata.desired?.slots,
        reportedStamps: this.reportedAt,
        acted: this.acted,
      }),
    );
    const stale: Record<string, string> = {};
    for (let slot = 1; slot <= this.managedSlots; slot++) {
      const held = this.lock.get(slot) ?? '';
      if (this.reported.get(slot) !== held) stale[slot] = held;
    }
    await this.report(stale, {}, true);
    await this.applyBolt(parsed);
  }

  /** Carries out the shadow's bolt request if it is new and fresh (see boltToApply). */
  private async applyBolt(known?: LockShadow): Promise<void> {
    const shadow = known ?? lockShadowSchema.safeParse(await this.shadows.get(this.shadowName)).data;
    if (shadow === undefined) return;
    await this.moveBolt(
      boltToApply({
        desired: shadow.state.desired?.bolt,
        requestedAt: shadow.metadata.desired?.bolt?.request?.timestamp,
        answered: shadow.state.reported?.bolt?.request,
        acted: this.boltActed,
        nowSeconds: Date.now() / 1000,
      }),
    );
  }

  onDelta(body: JsonObject): Promise<void> {
    const delta = lockDeltaSchema.safeParse(body);
    if (!delta.success) return Promise.resolve();
    return this.enqueue(async () => {
      await this.apply(
        slotsToApply({
          managedSlots: this.managedSlots,
          lock: this.lock,
          desired: delta.data.state.slots,
          desiredStamps: delta.data.metadata.slots,
          reportedStamps: this.reportedAt,
          acted: this.acted,
        }),
      );
      // A delta leaves out the leaves reported already matches (the bolt's state): read the request whole.
      if (delta.data.state.bolt?.request !== undefined) await this.applyBolt();
    });
  }

  /** A slot changed on the lock itself: read it and report it. */
  onSlotChanged(slot?: number): Promise<void> {
    return this.enqueue(async () => {
      if (slot === undefined || slot > this.managedSlots) {
        await this.readAll();
      } else {
        this.lock.set(slot, await this.link.readSlot(this.node.nodeId, slot));
        this.followChecksum();
      }
      const changed: Record<string, string> = {};
      for (const [n, held] of this.lock) if (this.reported.get(n) !== held) changed[n] = held;
      await this.report(changed);
    });
  }

  onStatus(status: LockStatus): Promise<void> {
    this.status = status;
    return this.enqueue(() => this.report({}, {}, true));
  }

  /**
   * The agent's sweep of this lock, for changes the lock does not announce: asks for its User
   * Code Checksum and compares it with the checksum of what the agent last read or set. Equal:
   * nothing more is sent to the lock or IoT Core. Different, or a lock without the checksum:
   * every slot is read and the full sync reports what changed (the cloud's external-change
   * rules take it from the shadow, as for a keypad change).
   */
  verify(): Promise<void> {
    return this.enqueue(async () => {
      const answer = await this.askChecksum();
      if (this.readOnce && answer !== undefined && answer === this.checksum) return;
      const before = new Map(this.lock);
      await this.readAll(answer);
      const changed = [...this.lock].filter(([slot, code]) => before.has(slot) && before.get(slot) !== code).map(([slot]) => slot);
      if (answer !== undefined) this.log.info('user code checksum differs: every slot read', { node_id: this.node.nodeId, changed_slots: changed });
      await this.syncNow();
    });
  }

  /** Waits for the work queued so far. */
  idle(): Promise<void> {
    return this.queue;
  }
}
