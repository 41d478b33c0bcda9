import { CRC16_CCITT } from '@zwave-js/core';
import { isObject, type JsonObject } from '../../lib/hub-contract/shadow-state';
import { LockSync } from '../../edge/lock-sync';
import type { ShadowClient } from '../../edge/shadow-client';
import { userCodeChecksum } from '../../edge/user-code-checksum';
import type { LockNode, ZwaveLink } from '../../edge/zwave-link';

/*
 * The agent's sweep of a lock: the User Code Checksum first, every slot only when it differs.
 * A fake lock answers the checksum as User Code CC v2 defines it (zwave-js's own CRC over each
 * held slot's id, status and code), and counts the commands it answers.
 */

const enabled = 0x01;
const disabled = 0x02;

/** What a lock answers, computed independently of the agent (zwave-js's CRC16-CCITT on the specified bytes). */
function lockChecksum(memory: ReadonlyMap<number, { code: string; status: number }>): number {
  const parts: Buffer[] = [];
  for (const [slot, { code, status }] of [...memory].sort(([a], [b]) => a - b)) {
    if (code === '') continue;
    parts.push(Buffer.from([slot >> 8, slot & 0xff, status]), Buffer.from(code, 'ascii'));
  }
  return parts.length === 0 ? 0 : CRC16_CCITT(Buffer.concat(parts));
}

function fakeLock(capacity: number, options: { checksum: boolean }) {
  const memory = new Map<number, { code: string; status: number }>();
  for (let slot = 1; slot <= capacity; slot++) memory.set(slot, { code: '', status: 0 });
  const commands = { slots: 0, checksums: 0, writes: 0 };
  const node: LockNode = { nodeId: 2, name: 'Front', manufacturer: 'Test', model: 'T1', capacity, status: 'alive' };
  const link: ZwaveLink = {
    locks: () => [node],
    async readSlot(_nodeId, slot) {
      commands.slots++;
      return memory.get(slot)?.code ?? '';
    },
    ...(options.checksum && {
      async userCodeChecksum() {
        commands.checksums++;
        return lockChecksum(memory);
      },
    }),
    async writeSlot(_nodeId, slot, code) {
      commands.writes++;
      memory.set(slot, { code, status: code === '' ? 0 : enabled });
    },
    onEvent: () => {},
    close: async () => {},
  };
  /** A change at the lock that it does not announce. */
  const drift = (slot: number, code: string, status = enabled) => memory.set(slot, { code, status: code === '' ? 0 : status });
  return { link, node, commands, drift };
}

/** The slots an update reports. */
function reportedSlots(update: JsonObject): JsonObject | undefined {
  const slots = isObject(update.reported) ? update.reported.slots : undefined;
  return isObject(slots) ? slots : undefined;
}

/** A shadow client holding one document: `desired` as Latchkey wrote it, `reported` as the agent sends it. */
function fakeShadows(desired: Record<string, string>) {
  const reported: Record<string, string> = {};
  const updates: JsonObject[] = [];
  let version = 1;
  const client: ShadowClient = {
    async get() {
      return {
        state: { desired: { slots: desired }, reported: { slots: { ...reported } } },
        metadata: { desired: { slots: Object.fromEntries(Object.keys(desired).map((k) => [k, { timestamp: 100 }])) } },
        version,
      };
    },
    async update(_name, state) {
      updates.push(state);
      version++;
      for (const [slot, code] of Object.entries(reportedSlots(state) ?? {})) if (typeof code === 'string') reported[slot] = code;
      return { state, metadata: {}, version };
    },
    watch: async () => {},
    publishEvent: async () => {},
    onConnect: () => {},
    isConnected: () => true,
    close: async () => {},
  };
  /** The slots each update reported, in order. */
  const reports = () => updates.map(reportedSlots).filter((s) => s !== undefined);
  return { client, updates, reports };
}

const log = { info: () => {}, warn: () => {} };

async function started(lock: ReturnType<typeof fakeLock>, desired: Record<string, string>, maxSlots = 30) {
  const shadows = fakeShadows(desired);
  const sync = new LockSync(lock.link, shadows.client, lock.node, { maxSlots, codeLengths: { min: 4, max: 8 } }, log, 'test');
  await sync.sync();
  return { sync, shadows };
}

test("the agent's checksum is the lock's: zwave-js's CRC over each held slot, 0 for an empty lock", () => {
  expect(
    userCodeChecksum(
      new Map([
        [1, ''],
        [2, ''],
      ]),
    ),
  ).toBe(0);
  const held = new Map([
    [1, '4821'],
    [2, ''],
    [3, '123456'],
    [300, '9090'],
  ]);
  const asLock = new Map([...held].map(([slot, code]) => [slot, { code, status: enabled }]));
  expect(userCodeChecksum(held)).toBe(lockChecksum(asLock));
  expect(userCodeChecksum(held)).not.toBe(
    userCodeChecksum(
      new Map([
        [1, '4821'],
        [3, '123457'],
        [300, '9090'],
      ]),
    ),
  );
});

test('a lock whose checksum matches what the agent last read or set is not read slot by slot', async () => {
  const lock = fakeLock(4, { checksum: true });
  lock.drift(2, '1111');
  const { sync, shadows } = await started(lock, { '1': '4821' });
  // The first pass: the checksum, every slot, then Latchkey's code written and read back.
  expect(lock.commands).toEqual({ checksums: 1, slots: 5, writes: 1 });
  const updates = shadows.updates.length;

  for (let i = 0; i < 3; i++) await sync.verify();
  expect(lock.commands).toEqual({ checksums: 4, slots: 5, writes: 1 });
  // Nothing changed: nothing sent to IoT Core either.
  expect(shadows.updates).toHaveLength(updates);
});

test('a checksum that differs reads every slot once, and the drift is reported as a keypad change is', async () => {
  const lock = fakeLock(4, { checksum: true });
  const { sync, shadows } = await started(lock, { '1': '4821' });
  const before = { ...lock.commands };

  lock.drift(1, '2718');
  await sync.verify();
  expect(lock.commands).toEqual({ checksums: before.checksums + 1, slots: before.slots + 4, writes: before.writes });
  // Reported, not reverted: Latchkey decides (the external-change rules).
  expect(shadows.reports().at(-1)).toEqual({ '1': '2718' });

  // What was read is the new baseline.
  await sync.verify();
  expect(lock.commands).toEqual({ checksums: before.checksums + 2, slots: before.slots + 4, writes: before.writes });
});

test('a lock without the checksum falls back to reading every slot on each sweep, and finds the drift', async () => {
  const lock = fakeLock(3, { checksum: false });
  const { sync, shadows } = await started(lock, {});
  expect(lock.commands.slots).toBe(3);

  await sync.verify();
  expect(lock.commands.slots).toBe(6);
  lock.drift(3, '5555');
  await sync.verify();
  expect(lock.commands.slots).toBe(9);
  expect(shadows.reports().at(-1)).toEqual({ '3': '5555' });
});

test('where the agent cannot compute the checksum (a code beyond its slots, a disabled code), it trusts the lock’s last answer and reads once after its own writes', async () => {
  const lock = fakeLock(6, { checksum: true });
  lock.drift(6, '6006');
  lock.drift(2, '2002', disabled);
  const { sync } = await started(lock, { '1': '4821' }, 4);
  const afterStart = { ...lock.commands };

  // Its own write made the lock's answer unknown: one full read, which gives the baseline.
  await sync.verify();
  expect(lock.commands.slots).toBe(afterStart.slots + 4);
  await sync.verify();
  await sync.verify();
  expect(lock.commands.slots).toBe(afterStart.slots + 4);
  expect(lock.commands.checksums).toBe(afterStart.checksums + 3);
});
