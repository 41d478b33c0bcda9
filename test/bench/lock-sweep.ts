import { randomUUID } from 'node:crypto';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import * as z from 'zod';
import type { DeviceRecord } from '../../lib/devices/schemas';
import { accessCodeFixture } from '../support/fixtures';
import { countRequests, describe, total } from './dynamodb-cost';
import { batchWrite, pauseStream } from './poller';
import { prices, splitCapacity } from './prices';
import { type Check, type Row, type Section, fmt } from './report';
import { childEnv, emit, median, runChild } from './support';

export interface LockSweepSettings {
  /** Idle sandbox locks swept. */
  locks: number;
  /** Set codes on each lock. */
  codesPerLock: number;
}

const tickSchema = z.object({ ms: z.number(), swept: z.number(), failed: z.number(), requests: z.record(z.string(), z.number()), capacity: z.record(z.string(), z.number()) });
export const lockSweepResultSchema = z.object({
  locks: z.number(),
  codesPerLock: z.number(),
  seedSeconds: z.number(),
  join: tickSchema,
  /** The tick a minute after joining: the locks left over are placed. */
  settle: tickSchema,
  minutes: z.array(tickSchema),
  /** The minute of the hour whose tick found the one silent change (null: not found). */
  foundAtMinute: z.number().nullable(),
});
type LockSweepResult = z.infer<typeof lockSweepResultSchema>;
type Tick = z.infer<typeof tickSchema>;
type Item = Record<string, AttributeValue>;

const INTERVAL_MINUTES = 60;

/**
 * Child side: `locks` idle sandbox locks, each holding `codesPerLock` set codes, join the sweep
 * at once on DynamoDB Local; the poller then ticks once a simulated minute for one sweep
 * interval (60 minutes), with nothing due but the sweep. One code is changed silently on one
 * lock before the hour starts; the minute whose tick finds it is reported.
 */
export async function runLockSweep(endpoint: string, [locksArg = '10000', codesArg = '2']: string[]): Promise<void> {
  const [
    { buildDeps },
    { loadConfig },
    { ensureTable, localDynamoDbClient },
    { accessCodeKeys, keypadKeys },
    { createDynamoDbStores },
    { dynamoDbKeypadStore },
    { buildSandboxDevices, sandboxProvider },
    { pollDueCodes },
    { ManualClock },
    { providerRegistry },
  ] = await Promise.all([
    import('../../lib/wiring/whole-app'),
    import('../../lib/config'),
    import('../../lib/adapters/dynamodb-table-setup'),
    import('../../lib/adapters/dynamodb-keys'),
    import('../../lib/adapters/dynamodb-stores'),
    import('../../lib/adapters/dynamodb-keypads'),
    import('../../lib/providers/sandbox'),
    import('../../lib/engine/poll-due-codes'),
    import('../support/memory-app'),
    import('../../lib/devices/providers'),
  ]);
  const [locks, codesPerLock] = [Number(locksArg), Number(codesArg)];
  const client = localDynamoDbClient(endpoint);
  const tableName = 'bench-lock-sweep';
  await ensureTable(client, tableName);
  const counter = countRequests(client);
  const now = new Date('2026-12-01T12:00:00.000Z');
  const clock = new ManualClock(now);
  const config = loadConfig({
    LATCHKEY_STORE: 'dynamodb',
    LATCHKEY_DYNAMODB_ENDPOINT: endpoint,
    LATCHKEY_TABLE_NAME: tableName,
    LOG_LEVEL: 'SILENT',
    LATCHKEY_LOCK_SWEEP_MINUTES: String(INTERVAL_MINUTES),
  });
  const keypads = dynamoDbKeypadStore(client, tableName);
  const provider = sandboxProvider({ keypads, clock, latencyMs: config.LATCHKEY_SANDBOX_LATENCY_MS });
  const deps = buildDeps(config, { ...createDynamoDbStores({ client, tableName }), providers: providerRegistry([provider]), clock });

  const workspaceId = randomUUID();
  const template = buildSandboxDevices(workspaceId, randomUUID, now, 0).find((d) => d.device.device_type === 'smartthings_lock');
  if (template === undefined) throw new Error('no smartthings sandbox lock');
  const seedStarted = performance.now();
  const resume = await pauseStream(client, tableName);
  const devices: DeviceRecord[] = Array.from({ length: locks }, () => {
    const record: DeviceRecord = structuredClone(template);
    record.device.device_id = randomUUID();
    return record;
  });
  // Stored as the sync stores them (device item and its place in the sweep), 32 at a time.
  for (let i = 0; i < devices.length; i += 32) await Promise.all(devices.slice(i, i + 32).map((d) => deps.devices.put(d)));

  // Each lock holds its codes exactly as Latchkey left them: set, verified by the last sweep, in its keypad.
  let pin = 10_000_000;
  const codes: { deviceId: string; accessCodeId: string }[] = [];
  const items: Item[] = [];
  for (const device of devices) {
    const deviceId = device.device.device_id;
    for (let c = 0; c < codesPerLock; c++) {
      const code = String(pin++);
      const record = accessCodeFixture(workspaceId, deviceId, {
        accessCode: {
          name: `Guest ${code}`,
          code,
          status: 'set',
          type: 'ongoing',
          starts_at: undefined,
          ends_at: undefined,
          created_at: now.toISOString(),
          pending_mutations: [],
          // As a sweep an interval ago left it: the steady state, where each sweep moves it on.
          last_verified_at: new Date(now.getTime() - INTERVAL_MINUTES * 60_000).toISOString(),
        },
        record: { due_at: undefined },
      });
      const { access_code: a } = record;
      codes.push({ deviceId, accessCodeId: a.access_code_id });
      items.push(marshall({ ...accessCodeKeys.key(workspaceId, a.access_code_id), ...accessCodeKeys.index(record), doc: record }, { removeUndefinedValues: true }));
      const slot = { workspace_id: workspaceId, device_id: deviceId, access_code_id: a.access_code_id, code, name: a.name ?? undefined, state: 'present', settles_at: now.toISOString() };
      items.push(marshall({ ...keypadKeys.slot(workspaceId, deviceId, a.access_code_id), doc: slot }, { removeUndefinedValues: true }));
    }
    items.push(marshall({ ...keypadKeys.counter(workspaceId, deviceId), used: codesPerLock }));
  }
  await batchWrite(client, tableName, items);
  await resume();
  const seedSeconds = (performance.now() - seedStarted) / 1000;

  const tick = async (): Promise<Tick> => {
    counter.reset();
    const started = performance.now();
    const { swept, failed } = await pollDueCodes(deps);
    return { ms: performance.now() - started, swept, failed, requests: Object.fromEntries(counter.commands), capacity: Object.fromEntries(counter.capacityByCommand) };
  };
  // The locks join: each is given its place in the interval, none is read. A tick places at most
  // a page a shard (500), so a minute later the rest are placed (and the first places read).
  const join = await tick();
  clock.set(new Date(now.getTime() + 60_000).toISOString());
  const settle = await tick();

  // One code changed at its lock, silently: only the sweep can find it.
  const changed = codes[Math.floor(codes.length / 2)];
  if (changed === undefined) throw new Error('no codes seeded');
  const slot = await keypads.get(workspaceId, changed.deviceId, changed.accessCodeId);
  if (slot === undefined) throw new Error('the changed code has no keypad slot');
  await keypads.replace({ ...slot, code: '99999999' });

  const minutes: Tick[] = [];
  let foundAtMinute: number | null = null;
  // The measured hour: any 60 ticks a minute apart read each placed lock once.
  for (let minute = 1; minute <= INTERVAL_MINUTES; minute++) {
    clock.set(new Date(now.getTime() + (minute + 1) * 60_000).toISOString());
    minutes.push(await tick());
    if (foundAtMinute === null) {
      const events = await deps.events.list(workspaceId, { limit: 10, access_code_id: changed.accessCodeId, event_type: 'access_code.modified_external_to_seam' });
      if (events.length > 0) foundAtMinute = minute;
    }
  }
  const result: LockSweepResult = { locks, codesPerLock, seedSeconds, join, settle, minutes, foundAtMinute };
  emit(result);
  client.destroy();
}

const sum = (ticks: readonly Tick[], pick: (t: Tick) => number) => ticks.reduce((n, t) => n + pick(t), 0);
const addUp = (records: readonly Record<string, number>[]) => {
  const out: Record<string, number> = {};
  for (const r of records) for (const [k, v] of Object.entries(r)) out[k] = (out[k] ?? 0) + v;
  return out;
};

/** Measure 6 (parent side). */
export async function measureLockSweep(endpoint: string, settings: LockSweepSettings, quick: boolean): Promise<Section> {
  const r = await runChild('child.ts', ['lock-sweep', endpoint, String(settings.locks), String(settings.codesPerLock)], lockSweepResultSchema, childEnv({ LATCHKEY_STORE: 'memory' }));
  const perMinute = r.minutes.map((m) => m.swept);
  const swept = sum(r.minutes, (m) => m.swept);
  const requests = addUp(r.minutes.map((m) => m.requests));
  const capacity = splitCapacity(addUp(r.minutes.map((m) => m.capacity)));
  const ms = sum(r.minutes, (m) => m.ms);
  const failed = sum(r.minutes, (m) => m.failed) + r.join.failed + r.settle.failed;
  const sweepsPerDay = (24 * 60) / INTERVAL_MINUTES;
  // A day of sweeps for every lock: this hour's reads, writes and poller time, 24 times.
  const perDay = {
    reads: capacity.read * sweepsPerDay,
    writes: capacity.write * sweepsPerDay,
    gbSeconds: (ms / 1000) * prices.lambdaMemoryGb * sweepsPerDay,
  };
  const dollars = {
    reads: perDay.reads * prices.readRequestUnit,
    writes: perDay.writes * prices.writeRequestUnit,
    lambda: perDay.gbSeconds * prices.lambdaGbSecond,
  };
  const dayDollars = dollars.reads + dollars.writes + dollars.lambda;
  const per10k = (value: number) => (value * 10_000) / r.locks;
  const share = r.locks / INTERVAL_MINUTES;
  const rows: Row[] = [
    { measure: 'locks joining at once: the first tick (placed, none read)', value: `${fmt(r.join.ms, 0)} ms, ${r.join.swept} read`, per_lock: describe(r.join.requests) },
    { measure: 'a minute later: the rest placed, the first places read', value: `${fmt(r.settle.ms, 0)} ms, ${r.settle.swept} read`, per_lock: describe(r.settle.requests) },
    { measure: 'locks read per minute: min / median / max', value: `${Math.min(...perMinute)} / ${median(perMinute)} / ${Math.max(...perMinute)}`, per_lock: `${fmt(share, 1)} even share` },
    { measure: `locks read in the hour (of ${r.locks.toLocaleString('en-US')})`, value: String(swept), per_lock: null },
    { measure: 'DynamoDB requests in the hour', value: describe(requests), per_lock: fmt(total(requests) / Math.max(1, swept), 1) },
    {
      measure: 'capacity units in the hour (read / write)',
      value: `${fmt(capacity.read, 0)} / ${fmt(capacity.write, 0)}`,
      per_lock: `${fmt(capacity.read / Math.max(1, swept), 2)} / ${fmt(capacity.write / Math.max(1, swept), 2)}`,
    },
    { measure: 'poller time the sweep took in the hour (this machine)', value: `${fmt(ms / 1000, 1)} s`, per_lock: `${fmt(ms / Math.max(1, swept), 2)} ms` },
    {
      measure: `AWS cost a day for ${(10_000).toLocaleString('en-US')} locks (reads + writes + Lambda)`,
      value: `$${fmt(per10k(dayDollars), 4)}`,
      per_lock: `$${fmt(per10k(dollars.reads), 4)} + $${fmt(per10k(dollars.writes), 4)} + $${fmt(per10k(dollars.lambda), 4)}`,
    },
  ];
  const checks: Check[] = [
    { name: 'every lock read within one interval', value: `${swept} of ${r.locks}`, target: `${r.locks}`, ok: swept === r.locks },
    { name: 'no minute reads more than twice its share', value: String(Math.max(...perMinute)), target: `<= ${fmt(2 * share, 0)}`, ok: Math.max(...perMinute) <= 2 * share },
    { name: 'locks joining are not read at once', value: String(r.join.swept), target: '0', ok: r.join.swept === 0 },
    {
      name: 'a silent change found within one interval',
      value: r.foundAtMinute === null ? 'not found' : `minute ${r.foundAtMinute}`,
      target: `<= minute ${INTERVAL_MINUTES}`,
      ok: r.foundAtMinute !== null,
    },
    { name: 'sweep steps that failed', value: String(failed), target: '0', ok: failed === 0 },
  ];
  return {
    id: 'lock-sweep',
    title: '6. Sweep of idle locks on DynamoDB Local',
    notes: [
      `${r.locks.toLocaleString('en-US')} idle sandbox locks, each holding ${r.codesPerLock} set codes as Latchkey left them, join the sweep at once`,
      `(seeded in ${fmt(r.seedSeconds, 0)} s). pollDueCodes (all 16 shards) ticks once a simulated minute: two ticks place them (a tick places`,
      `at most 500 a shard), then the measured ${INTERVAL_MINUTES} ticks (one interval) with nothing due but the sweep; one code is changed`,
      'silently on one lock before the measured hour. Capacity is what DynamoDB Local',
      'reports (ReturnConsumedCapacity TOTAL), split into reads and writes by command. Cost: a day is 24 such hours, at the',
      `on-demand prices of docs/benchmarks.md ($${prices.readRequestUnit * 1e6} per million reads, $${prices.writeRequestUnit * 1e6} per million writes, Lambda at`,
      `${prices.lambdaMemoryGb} GB for the sweep's share of the poller's time on this machine), scaled to 10,000 locks.`,
      ...(quick ? [`--quick: ${r.locks.toLocaleString('en-US')} locks (full: 10,000).`] : []),
    ],
    columns: [
      { key: 'measure', label: 'measure' },
      { key: 'value', label: 'value' },
      { key: 'per_lock', label: 'per lock read' },
    ],
    rows,
    checks,
  };
}
