import { accessCodeFixture } from '../support/fixtures';
import { randomUUID } from 'node:crypto';
import { type AttributeValue, BatchWriteItemCommand, type DynamoDBClient, QueryCommand, UpdateTableCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import * as z from 'zod';
import { ensureStream } from '../../lib/adapters/dynamodb-table-setup';
import { providerRegistry } from '../../lib/devices/providers';
import type { DeviceRecord } from '../../lib/devices/schemas';
import type { SandboxKeypadStore } from '../../lib/providers/sandbox';
import { pollerSizing } from '../../lib/engine/poller-sizing';
import { count, countRequests, describe, total } from './dynamodb-cost';
import { type Check, type Row, type Section, as, fmt, ratio, times } from './report';
import { childEnv, emit, median, runChild } from './support';

export interface PollerSettings {
  /** Not-due codes stored for the second series of sweeps. */
  notDue: number;
  /** Codes that fall due within one minute. */
  burst: number;
  /** Sweeps per series. */
  sweeps: number;
}

const requestsSchema = z.record(z.string(), z.number());
const sweepSchema = z.object({ ms: z.number(), processed: z.number(), failed: z.number(), requests: requestsSchema, capacity: requestsSchema, indexes: requestsSchema });
const tickSchema = sweepSchema.extend({ stillUnset: z.number(), deferred: z.number(), workers: z.number(), overTimeout: z.number(), cpuMs: z.number() });
export const pollerResultSchema = z.object({
  duePerSweep: z.number(),
  notDue: z.number(),
  seedSeconds: z.number(),
  sweepsEmpty: z.array(sweepSchema),
  sweepsFull: z.array(sweepSchema),
  burst: z.number(),
  burstDevices: z.number(),
  fanOut: z.number(),
  timeoutSeconds: z.number(),
  /** Seconds of a tick an invocation takes codes: its timeout less the handler's margin. */
  workSeconds: z.number(),
  ticks: z.array(tickSchema),
});
type PollerResult = z.infer<typeof pollerResultSchema>;

type Item = Record<string, AttributeValue>;

/** Commands whose capacity units are read units; the rest are write units. */
const readCommands = new Set(['GetItemCommand', 'BatchGetItemCommand', 'QueryCommand', 'ScanCommand', 'TransactGetItemsCommand']);

const DUE_PER_SWEEP = 100;
/**
 * Codes of the burst a lock holds. A sandbox lock takes one code call per latency window (2 s by
 * default) and a second look to confirm, so 50 a lock (as before) could not reach `setting` in one
 * 55 s tick however fast the engine; 10 take 20 s of a lock's paced turns, so the tick measures
 * the poller, not one lock's pacing. 10,000 codes thus sit on 1,000 locks.
 */
const CODES_PER_BURST_DEVICE = 10;
/** Ticks the burst may take (issue #20: every code due in one minute reaches setting within one tick). */
const TARGET_TICKS = 1;
/** Ticks the bench runs before it stops waiting. */
const MAX_TICKS = 20;
const JIT_LEAD_MS = 3_600_000;

/** Writes items 25 at a time, several batches in flight, until DynamoDB has taken all of them. */
export async function batchWrite(client: DynamoDBClient, tableName: string, items: Item[], inFlight = 8): Promise<void> {
  let next = 0;
  const writer = async () => {
    while (next < items.length) {
      let requests = items.slice(next, next + 25).map((Item) => ({ PutRequest: { Item } }));
      next += 25;
      while (requests.length > 0) {
        const { UnprocessedItems } = await client.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: requests } }));
        requests = (UnprocessedItems?.[tableName] ?? []).flatMap((r) => (r.PutRequest?.Item ? [{ PutRequest: { Item: r.PutRequest.Item } }] : []));
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, writer));
}

/**
 * Turns the table's stream off while a measure writes its starting data; the function returned
 * turns it back on for the measure. DynamoDB Local keeps a stream record of every item and grows
 * slower with them (a seed takes about twice as long); AWS does neither, and nothing reads
 * these records.
 */
export async function pauseStream(client: DynamoDBClient, tableName: string): Promise<() => Promise<void>> {
  await client.send(new UpdateTableCommand({ TableName: tableName, StreamSpecification: { StreamEnabled: false } }));
  return () => ensureStream(client, tableName);
}

/** Counts the codes on `deviceIds` that are still `unset`, from the by-device index. */
async function countUnset(client: DynamoDBClient, tableName: string, partitions: readonly string[]): Promise<number> {
  let unset = 0;
  for (const partition of partitions) {
    let startKey: Item | undefined;
    do {
      const page = await client.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk',
          FilterExpression: '#doc.#code.#status = :unset',
          ExpressionAttributeNames: { '#doc': 'doc', '#code': 'access_code', '#status': 'status' },
          ExpressionAttributeValues: { ':pk': { S: partition }, ':unset': { S: 'unset' } },
          Select: 'COUNT',
          ExclusiveStartKey: startKey,
        }),
      );
      unset += page.Count ?? 0;
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
  }
  return unset;
}

/**
 * Child side: the poller use case on DynamoDB Local with a fixed clock. Sweeps of 100 due
 * codes, first with nothing else stored, then with `notDue` codes that have no pending work;
 * then `burst` just-in-time codes whose work falls due within one minute, swept tick after
 * tick until none is `unset`.
 */
export async function runPoller(endpoint: string, [notDueArg = '100000', burstArg = '10000', sweepsArg = '5']: string[]): Promise<void> {
  // Loaded in the child only: the parent imports this module to tabulate, and never builds the application.
  const [
    { buildDeps },
    { loadConfig },
    { ensureTable, localDynamoDbClient },
    { accessCodeKeys, pinClaimKeys },
    { createDynamoDbStores },
    { buildSandboxDevices },
    { memoryKeypadStore, sandboxProvider },
    { pollDueCodes },
    { creationMutation },
    { ManualClock, RunningClock },
    { safetyMarginMs },
    { jobs },
    { shardGroups },
    { holderOf },
  ] = await Promise.all([
    import('../../lib/wiring/whole-app'),
    import('../../lib/config'),
    import('../../lib/adapters/dynamodb-table-setup'),
    import('../../lib/adapters/dynamodb-keys'),
    import('../../lib/adapters/dynamodb-stores'),
    import('../../lib/providers/sandbox'),
    import('../../lib/providers/sandbox'),
    import('../../lib/engine/poll-due-codes'),
    import('../../lib/access-codes/lifecycle'),
    import('../support/memory-app'),
    import('../../functions/poll-pending-codes'),
    import('../../lib/triggers'),
    import('../../lib/engine/due-shards'),
    import('../../lib/access-codes/pin-holders'),
  ]);
  const [notDue, burst, sweeps] = [Number(notDueArg), Number(burstArg), Number(sweepsArg)];
  /**
   * Each table in a DynamoDB Local database of its own, with a client that counts its requests:
   * in one database, the burst table, created after the seeding, would pay for every seeded
   * item's stream record on each write (localDynamoDbClient), which AWS does not.
   */
  const tables = new Map<string, { client: DynamoDBClient; counter: ReturnType<typeof countRequests>; keypads: SandboxKeypadStore }>();
  const tableClient = (tableName: string) => {
    let table = tables.get(tableName);
    if (table === undefined) {
      const client = localDynamoDbClient(endpoint, tableName.replace(/[^A-Za-z0-9]/g, ''));
      table = { client, counter: countRequests(client, { byIndex: true }), keypads: memoryKeypadStore() };
      tables.set(tableName, table);
    }
    return table;
  };
  const now = new Date('2026-12-01T12:00:00.000Z');
  const workspaceId = randomUUID();
  /**
   * The application on a table of its own (two for the sweeps, one for the burst), with a
   * fixed clock unless given one; its stores share the table's counting client. The sandbox
   * locks' keypads (the locks' own state, which a real provider keeps at its end) are in memory,
   * shared by every invocation of the tick, as code-life leaves them uncounted: the tick measures
   * Latchkey's work on DynamoDB, not the simulated locks' (a transaction a program call).
   */
  const app = async (tableName: string, clock = new ManualClock(now)) => {
    const { client, keypads } = tableClient(tableName);
    await ensureTable(client, tableName);
    const config = loadConfig({
      LATCHKEY_STORE: 'dynamodb',
      LATCHKEY_DYNAMODB_ENDPOINT: endpoint,
      LATCHKEY_TABLE_NAME: tableName,
      LOG_LEVEL: 'SILENT',
      LATCHKEY_JIT_LEAD_SECONDS: String(JIT_LEAD_MS / 1000),
    });
    const provider = sandboxProvider({ keypads, clock, latencyMs: config.LATCHKEY_SANDBOX_LATENCY_MS });
    return { tableName, clock, deps: buildDeps(config, { ...createDynamoDbStores({ client, tableName }), providers: providerRegistry([provider]), clock }) };
  };

  // Just-in-time locks (the engine programs them at starts_at minus the lead) with room for every code.
  const template = buildSandboxDevices(workspaceId, randomUUID, now, 0).find((d) => d.device.device_type === 'smartthings_lock');
  if (template === undefined) throw new Error('no smartthings sandbox lock');
  const newDevices = (target: Awaited<ReturnType<typeof app>>, count: number) =>
    Promise.all(
      Array.from({ length: count }, async () => {
        const record: DeviceRecord = structuredClone(template);
        record.device.device_id = randomUUID();
        record.device.properties.max_active_codes_supported = 100_000;
        await target.deps.devices.put(record);
        return record;
      }),
    );

  /** Spreads codes over locks round-robin. */
  const deviceAt = (devices: readonly DeviceRecord[], i: number): string => {
    const device = devices[i % devices.length];
    if (device === undefined) throw new Error('no locks to put codes on');
    return device.device.device_id;
  };

  let pin = 10_000_000;
  /**
   * A well-formed code item and its PIN claim, as the stores write them; the code is in the due
   * index only when `dueAt` is set.
   */
  const codeItems = (deviceId: string, dueAt: string | undefined, startsAt: Date): Item[] => {
    const code = String(pin++);
    const record = accessCodeFixture(workspaceId, deviceId, {
      accessCode: {
        name: `Guest ${code}`,
        code,
        status: 'unset',
        created_at: now.toISOString(),
        starts_at: startsAt.toISOString(),
        ends_at: new Date(startsAt.getTime() + 86_400_000).toISOString(),
        pending_mutations: [creationMutation(dueAt ?? startsAt.toISOString(), now)],
      },
      record: { prefer_native_scheduling: true, due_at: dueAt },
    });
    const { access_code: c } = record;
    return [
      marshall({ ...accessCodeKeys.key(c.workspace_id, c.access_code_id), ...accessCodeKeys.index(record), ...accessCodeKeys.due(record), doc: record }, { removeUndefinedValues: true }),
      marshall({ ...pinClaimKeys.key(c.workspace_id, c.device_id, code), holders: [holderOf(c)], version: 1 }, { removeUndefinedValues: true }),
    ];
  };

  // Two tables, one holding only what the sweeps add and one also holding the not-due codes;
  // the sweeps alternate between them, so that warm-up and drift touch both series alike.
  const empty = await app('bench-poller-empty');
  const full = await app('bench-poller-full');
  const seedStarted = performance.now();
  const parkedDevices = await newDevices(full, 100);
  // Codes with no pending work: their window is far ahead, past every lead time.
  const far = new Date(now.getTime() + 30 * 86_400_000);
  // Both tables' streams are turned off and on, so that the series compare tables in the same state
  // (DynamoDB Local was slower on a table whose stream had been turned off and on: see the burst).
  const resumeEmpty = await pauseStream(tableClient(empty.tableName).client, empty.tableName);
  const resumeFull = await pauseStream(tableClient(full.tableName).client, full.tableName);
  for (let written = 0; written < notDue; written += 5000) {
    const items = Array.from({ length: Math.min(5000, notDue - written) }, (_, i) => codeItems(deviceAt(parkedDevices, written + i), undefined, far)).flat();
    await batchWrite(tableClient(full.tableName).client, full.tableName, items);
  }
  await Promise.all([resumeEmpty(), resumeFull()]);
  const seedSeconds = (performance.now() - seedStarted) / 1000;

  // A due code's work is programming it: its window started a minute ago. One code per lock.
  const dueDevices = new Map([
    [empty, await newDevices(empty, DUE_PER_SWEEP)],
    [full, await newDevices(full, DUE_PER_SWEEP)],
  ]);
  const sweep = async (target: typeof empty) => {
    const startsAt = new Date(now.getTime() + JIT_LEAD_MS - 60_000);
    const dueAt = new Date(now.getTime() - 60_000).toISOString();
    const { client, counter } = tableClient(target.tableName);
    await batchWrite(
      client,
      target.tableName,
      (dueDevices.get(target) ?? []).flatMap((d) => codeItems(d.device.device_id, dueAt, startsAt)),
    );
    counter.reset();
    const started = performance.now();
    const { processed, failed } = await pollDueCodes(target.deps);
    return {
      ms: performance.now() - started,
      processed,
      failed,
      requests: Object.fromEntries(counter.commands),
      capacity: Object.fromEntries(counter.capacityByCommand),
      indexes: Object.fromEntries(counter.capacityByIndex),
    };
  };
  await sweep(empty);
  await sweep(full);
  const sweepsEmpty = [];
  const sweepsFull = [];
  for (let i = 0; i < sweeps; i++) {
    sweepsEmpty.push(await sweep(empty));
    sweepsFull.push(await sweep(full));
  }

  // The burst, on a table of its own: due times spread over the minute after `now`; the clock then moves past it and runs in real time.
  const burstTable = 'bench-poller-burst';
  const running = new RunningClock();
  const bursting = await app(burstTable, running);
  const burstDevices = await newDevices(bursting, Math.ceil(burst / CODES_PER_BURST_DEVICE));
  const burstItems = Array.from({ length: burst }, (_, i) => {
    const dueAt = new Date(now.getTime() + Math.floor((i * 60_000) / burst));
    return codeItems(deviceAt(burstDevices, i), dueAt.toISOString(), new Date(dueAt.getTime() + JIT_LEAD_MS));
  }).flat();
  const { client, counter } = tableClient(burstTable);
  // Written with the stream on: on a table whose stream was turned off and on again, DynamoDB Local took the burst's
  // tick about 45% longer (34 s -> 50 s for 10,000 codes), and the burst is timed.
  await batchWrite(client, burstTable, burstItems);
  // A tick as the stack runs it: the poll schedule's targets, each an invocation with its group of
  // shards (an instance of its own, warm from tick to tick) that stops taking codes where the
  // handler stops it (its timeout less its margin). Called without the handler's timeout, so an
  // invocation that would have run past it is reported, not cut off mid-step.
  const poller = jobs.find((job) => job.fn === 'poll-pending-codes');
  if (poller === undefined || poller.trigger.kind !== 'schedule') throw new Error('no scheduled poller in the trigger table');
  const fanOut = poller.trigger.fanOut ?? 1;
  const workers = await Promise.all(shardGroups(fanOut).map(async (shards) => ({ shards, deps: (await app(burstTable, running)).deps })));
  running.set(new Date(now.getTime() + 60_000).toISOString());
  const partitions = burstDevices.map((d) => accessCodeKeys.devicePartition(workspaceId, d.device.device_id));
  const ticks = [];
  for (let unset = burst; unset > 0 && ticks.length < MAX_TICKS; ) {
    counter.reset();
    const cpu = process.cpuUsage();
    const started = performance.now();
    const deadline = running.now().getTime() + poller.timeoutSeconds * 1000 - safetyMarginMs;
    const results = await Promise.all(
      workers.map(async ({ shards, deps }) => {
        const result = await pollDueCodes(deps, { shards, deadline });
        return { ...result, ms: performance.now() - started };
      }),
    );
    const ms = performance.now() - started;
    const { user, system } = process.cpuUsage(cpu);
    const sum = (key: 'processed' | 'deferred' | 'failed') => results.reduce((n, r) => n + r[key], 0);
    const overTimeout = results.filter((r) => r.ms > poller.timeoutSeconds * 1000).length;
    const requests = Object.fromEntries(counter.commands);
    const capacity = Object.fromEntries(counter.capacityByCommand);
    const indexes = Object.fromEntries(counter.capacityByIndex);
    unset = await countUnset(client, burstTable, partitions);
    ticks.push({
      ms,
      processed: sum('processed'),
      deferred: sum('deferred'),
      failed: sum('failed'),
      stillUnset: unset,
      requests,
      capacity,
      indexes,
      workers: workers.length,
      overTimeout,
      cpuMs: (user + system) / 1000,
    });
  }

  const result: PollerResult = {
    duePerSweep: DUE_PER_SWEEP,
    notDue,
    seedSeconds,
    sweepsEmpty,
    sweepsFull,
    burst,
    burstDevices: burstDevices.length,
    fanOut,
    timeoutSeconds: poller.timeoutSeconds,
    workSeconds: poller.timeoutSeconds - safetyMarginMs / 1000,
    ticks,
  };
  emit(result);
  for (const table of tables.values()) table.client.destroy();
}

/** Lambda's CPU share at the stack's 1 GB: a full vCPU comes with 1,769 MB. */
const LAMBDA_VCPU = 1024 / 1769;

/**
 * The due-index shards and the poller's fan-out for `dueCodesPerMinute`, by pollerSizing from
 * the burst's first tick: the CPU a code took in this process (so the codes one 1 GB invocation
 * steps a second) and the due index's capacity units a code took.
 */
function sizedFor(r: PollerResult, dueCodesPerMinute: number): string[] {
  const tick = r.ticks[0];
  if (tick === undefined || tick.processed === 0) return [];
  const perCode = (n: number) => n / tick.processed;
  const onDue = (reads: boolean) => Object.entries(tick.indexes).reduce((n, [key, units]) => n + (key.startsWith('due ') && readCommands.has(key.slice(4)) === reads ? units : 0), 0);
  const cpuMs = perCode(tick.cpuMs);
  const rate = (LAMBDA_VCPU * 1000) / cpuMs;
  const load = { dueCodesPerMinute, workSeconds: r.workSeconds, codesPerSecondPerInvocation: rate, dueIndexWriteUnitsPerCode: perCode(onDue(false)), dueIndexReadUnitsPerCode: perCode(onDue(true)) };
  const s = pollerSizing(load);
  return [
    `Sizing (pollerSizing) for ${dueCodesPerMinute.toLocaleString('en-US')} due codes a minute from tick 1: ${fmt(cpuMs, 2)} CPU ms a code here, so ${fmt(rate, 0)} codes/s per 1 GB invocation;`,
    `due index ${fmt(load.dueIndexWriteUnitsPerCode, 2)} WCU / ${fmt(load.dueIndexReadUnitsPerCode, 2)} RCU a code. ${fmt(s.codesPerSecond, 0)} codes/s over ${r.workSeconds} s of each minute:`,
    `${s.shardsForPartitions} shards for the partitions at half their limits, ${s.invocationsForRate} invocations for the rate: ${s.shards} shards, fan-out ${s.fanOut}.`,
  ];
}

/** Measure 5 (parent side). */
export async function measurePoller(endpoint: string, settings: PollerSettings, quick: boolean): Promise<Section> {
  const r = await runChild('child.ts', ['poller', endpoint, String(settings.notDue), String(settings.burst), String(settings.sweeps)], pollerResultSchema, childEnv({ LATCHKEY_STORE: 'memory' }));
  const empty = median(r.sweepsEmpty.map((s) => s.ms));
  const full = median(r.sweepsFull.map((s) => s.ms));
  const scaling = ratio(full, empty);
  const units = (s: { capacity: Record<string, number> }) => total(s.capacity);
  const costScaling = ratio(median(r.sweepsFull.map(units)), median(r.sweepsEmpty.map(units)));
  const failures = [...r.sweepsEmpty, ...r.sweepsFull, ...r.ticks].reduce((n, s) => n + s.failed, 0);
  const burstMs = r.ticks.reduce((t, tick) => t + tick.ms, 0);
  const last = r.ticks.at(-1);
  const allSetting = last !== undefined && last.stillUnset === 0;
  const leastProcessed = (sweeps: PollerResult['sweepsEmpty']) => Math.min(...sweeps.map((s) => s.processed));
  const requestCells = (s: { processed: number; requests: Record<string, number>; capacity: Record<string, number> } | undefined): Row => {
    if (s === undefined) return { requests: null, per_code: null, units: null };
    const reads = Object.entries(s.capacity).reduce((n, [command, u]) => n + (readCommands.has(command) ? u : 0), 0);
    const per = (n: number) => fmt(n / Math.max(1, s.processed), 1);
    return { requests: describe(s.requests), per_code: total(s.requests) / Math.max(1, s.processed), units: `${per(reads)} / ${per(units(s) - reads)}` };
  };
  const burstLabel = `burst of ${r.burst.toLocaleString('en-US')}`;
  const rows: Row[] = [
    { case: `sweep, ${r.duePerSweep} due, nothing else stored`, ms: empty, codes: leastProcessed(r.sweepsEmpty), vs_empty: 1, ...requestCells(r.sweepsEmpty[0]) },
    {
      case: `sweep, ${r.duePerSweep} due, ${r.notDue.toLocaleString('en-US')} not due stored`,
      ms: full,
      codes: leastProcessed(r.sweepsFull),
      vs_empty: scaling,
      ...requestCells(r.sweepsFull[0]),
    },
    ...r.ticks.map(
      (tick, i): Row => ({
        case: `${burstLabel}: tick ${i + 1} (${tick.workers} invocations, ${tick.overTimeout} past the timeout; ${tick.failed} failed, ${tick.deferred} deferred, ${tick.stillUnset} unset)`,
        ms: tick.ms,
        codes: tick.processed,
        vs_empty: null,
        ...requestCells(tick),
      }),
    ),
    {
      case: `${burstLabel}: all past unset`,
      ms: burstMs,
      codes: r.burst,
      vs_empty: null,
      requests: `${r.ticks.length} tick(s), ${fmt(r.burst / (burstMs / 1000), 0)} codes/s`,
      per_code: null,
      units: null,
    },
  ];
  const sized = sizedFor(r, 1_000_000);
  const scans = [...r.sweepsEmpty, ...r.sweepsFull, ...r.ticks].reduce((n, s) => n + count(s.requests, 'Scan'), 0);
  const checks: Check[] = [
    { name: `sweep with ${r.notDue.toLocaleString('en-US')} not-due vs none: capacity units`, value: times(costScaling), target: '<= 1.1×', ok: costScaling <= 1.1 },
    { name: `sweep with ${r.notDue.toLocaleString('en-US')} not-due vs none: time`, value: times(scaling), target: '<= 1.1×', ok: scaling <= 1.1 },
    { name: 'sweeps and ticks: code steps that failed', value: String(failures), target: '0', ok: failures === 0 },
    { name: 'sweeps and ticks: scans', value: String(scans), target: '0', ok: scans === 0 },
    {
      name: `${burstLabel}: all reach setting`,
      value: allSetting ? `${r.ticks.length} tick(s), ${fmt(burstMs / 1000, 1)} s` : `${last?.stillUnset ?? r.burst} unset after ${r.ticks.length} ticks`,
      target: `all, within ${TARGET_TICKS} tick, none past the timeout`,
      ok: allSetting && r.ticks.length <= TARGET_TICKS && r.ticks.every((t) => t.overTimeout === 0),
    },
  ];
  return {
    id: 'poller',
    title: '5. Poller scaling on DynamoDB Local',
    notes: [
      'Sweeps: pollDueCodes (all 16 shards, default page size and concurrency) on DynamoDB Local with a fixed clock; each due code',
      'gets its real engine step (lock read, PIN claim read, program, conditional write); the sandbox locks keep their keypads in memory',
      "(a lock's own state, kept by its provider; code-life does not count it either). A sweep: 100 fresh due codes, one per lock.",
      `Median of ${r.sweepsEmpty.length} sweeps per row, alternating between two tables: one holding nothing else, one also holding`,
      `${r.notDue.toLocaleString('en-US')} not-due codes (BatchWriteItem of code and PIN claim items, no due_at, ${fmt(r.seedSeconds, 0)} s to seed).`,
      `Burst: ${r.burst.toLocaleString('en-US')} just-in-time codes due within one minute on ${r.burstDevices} locks; the clock moves past the minute and runs in`,
      `real time. A tick is the stack's: ${r.fanOut} invocations at once (the poll schedule's targets, shardGroups(${r.fanOut})), each with its own stores`,
      `and the handler's deadline (the function's ${r.timeoutSeconds} s timeout less 5 s); one still running at ${r.timeoutSeconds} s is counted. Ticks run back to back until`,
      'none is unset (time: the sum of the ticks, not the checks between them). RCU / WCU: capacity DynamoDB Local reports, per code.',
      ...sized,
      ...(quick ? [`--quick: ${r.notDue.toLocaleString('en-US')} not-due codes (full: 100,000) and a burst of ${r.burst.toLocaleString('en-US')} (full: 10,000).`] : []),
    ],
    columns: [
      { key: 'case', label: 'case' },
      { key: 'ms', label: 'ms', format: as.count },
      { key: 'codes', label: 'codes processed' },
      { key: 'vs_empty', label: 'vs none stored', format: as.ratio },
      { key: 'requests', label: 'DynamoDB requests' },
      { key: 'per_code', label: 'per code', format: as.oneDecimal },
      { key: 'units', label: 'RCU / WCU per code' },
    ],
    rows,
    checks,
  };
}
