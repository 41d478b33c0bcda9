import { randomUUID } from 'node:crypto';
import { GetItemCommand, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import autocannon, { type Options, type RequestSpec, type Result, type Run } from 'autocannon';
import * as z from 'zod';
import { accessCodeKeys } from '../../lib/adapters/dynamodb-keys';
import { localDynamoDbClient } from '../../lib/adapters/dynamodb-table-setup';
import { type Check, type Column, type Row, type Section, as, ratio, times } from './report';
import { type Running, childEnv, cpuMillisOf, median, percentile, progress, serverCore, startChild } from './support';

export const servedSchema = z.object({ url: z.string(), apiKey: z.string(), deviceId: z.string(), workspaceId: z.string() });
/** What serve.ts prints once its server listens. */
export type Served = z.infer<typeof servedSchema>;

export interface LoadSettings {
  connections: number;
  /** Measured slices per side: the two sides of a ratio take turns (ABBA), so that a busy moment of the machine touches both. */
  rounds: number;
  sliceSeconds: number;
  /** Seconds of the same load on each side before the slices, not recorded. */
  warmupSeconds: number;
}

/** One uninterrupted stretch of load on one side. */
interface Slice {
  requests: number;
  seconds: number;
  p50: number;
  p99: number;
  failed: number;
  /** CPU time the serving process used in the slice (the client's, for a floor); null without /proc. */
  cpuMs: number | null;
}

export interface Load {
  reqPerSec: number;
  /** Medians of the slices' percentiles. */
  p50: number;
  p99: number;
  /** Answers other than 2xx plus socket errors: a run with any is not a valid measurement. */
  failed: number;
  /** CPU time of the serving process (the client's, for a floor) per request, in µs. */
  cpuMicros: number | null;
}

function combine(slices: readonly Slice[]): Load {
  const requests = slices.reduce((n, s) => n + s.requests, 0);
  const seconds = slices.reduce((n, s) => n + s.seconds, 0);
  const cpu = slices.every((s) => s.cpuMs !== null) ? slices.reduce((n, s) => n + (s.cpuMs ?? 0), 0) : null;
  return {
    reqPerSec: requests / seconds,
    p50: median(slices.map((s) => s.p50)),
    p99: median(slices.map((s) => s.p99)),
    failed: slices.reduce((n, s) => n + s.failed, 0),
    cpuMicros: cpu === null ? null : (cpu * 1000) / Math.max(1, requests),
  };
}

type Side = (seconds: number) => Promise<Slice>;

/** Warms every side up, then runs their slices in ABBA order; one Load per side. */
async function alternate(sides: readonly Side[], settings: LoadSettings): Promise<Load[]> {
  if (settings.warmupSeconds > 0) for (const side of sides) await side(settings.warmupSeconds);
  const slices: Slice[][] = sides.map(() => []);
  for (let round = 0; round < settings.rounds; round++) {
    const order = sides.map((_, i) => i);
    if (round % 2 === 1) order.reverse();
    for (const i of order) {
      const side = sides[i];
      if (side !== undefined) slices[i]?.push(await side(settings.sliceSeconds));
    }
  }
  return slices.map(combine);
}

interface Scenario {
  name: string;
  request: (served: Served, accessCodeId: string) => RequestSpec;
  /** Codes to delete: each slice first creates this many (untimed) and then deletes each once. */
  deletes?: true;
  /** Adds codes to the lock, so it cannot be part of the warm-up (list reads what the lock holds). */
  addsCodes?: true;
}

/**
 * The requests driven at the servers, in this order. "update" renames the code get reads;
 * "create" chooses a PIN from a counter, so that no two collide; "create, PIN generated"
 * leaves the PIN to the server. Creates run after the reads, since they add codes that
 * later requests would otherwise see; "delete" removes codes made for it before each slice.
 */
function scenarios(): Scenario[] {
  let nextPin = 10_000_000;
  let nextName = 0;
  return [
    { name: 'get', request: (_, id) => ({ method: 'POST', path: '/access_codes/get', body: JSON.stringify({ access_code_id: id }) }) },
    {
      name: 'generate_code',
      request: (s) => ({ method: 'POST', path: '/access_codes/generate_code', body: JSON.stringify({ device_id: s.deviceId }) }),
    },
    { name: 'list', request: (s) => ({ method: 'POST', path: '/access_codes/list', body: JSON.stringify({ device_id: s.deviceId }) }) },
    {
      name: 'update',
      request: (_, id) => ({
        method: 'POST',
        path: '/access_codes/update',
        setupRequest: (request) => ({ ...request, body: JSON.stringify({ access_code_id: id, name: `Bench ${nextName++}` }) }),
      }),
    },
    {
      name: 'create, PIN generated',
      addsCodes: true,
      request: (s) => ({ method: 'POST', path: '/access_codes/create', body: JSON.stringify({ device_id: s.deviceId }) }),
    },
    {
      name: 'create',
      addsCodes: true,
      request: (s) => ({
        method: 'POST',
        path: '/access_codes/create',
        setupRequest: (request) => ({ ...request, body: JSON.stringify({ device_id: s.deviceId, code: String(nextPin++) }) }),
      }),
    },
    { name: 'delete', request: () => ({ method: 'POST', path: '/access_codes/delete' }), deletes: true },
  ];
}

const headersFor = (served: Served) => ({ authorization: `Bearer ${served.apiKey}`, 'content-type': 'application/json' });

interface Target {
  server: Running<Served>;
  accessCodeId: string;
}

/**
 * An autocannon run that also keeps each 2xx answer's time as autocannon measured it (to the
 * nanosecond) and when the last answer came. autocannon's own latency histogram holds whole
 * milliseconds: with answers of 1-3 ms a p99 of 2 against 3 is a ratio jump of a half, so the
 * slice's percentiles are taken from these instead.
 */
function timedRun(options: Options): { run: Run; latencies: number[]; lastAnswer: () => number } {
  const latencies: number[] = [];
  let last = performance.now();
  const run = autocannon(options);
  run.on('response', (_client, statusCode, _bytes, responseTime) => {
    last = performance.now();
    if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
  });
  return { run, latencies, lastAnswer: () => last };
}

/** autocannon against one server for `seconds`, with the CPU its process spent meanwhile. */
const httpSide =
  ({ server }: Target, request: RequestSpec, connections: number): Side =>
  async (seconds) => {
    const cpuBefore = cpuMillisOf(server.pid);
    const { run, latencies } = timedRun({ url: server.value.url, connections, duration: seconds, headers: headersFor(server.value), requests: [request] });
    return sliceOf(await run, latencies, cpuBefore, cpuMillisOf(server.pid));
  };

function sliceOf(result: Result, latencies: readonly number[], cpuBefore: number | undefined, cpuAfter: number | undefined): Slice {
  return {
    requests: result.requests.total,
    seconds: result.duration,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    failed: result.non2xx + result.errors + result.timeouts,
    cpuMs: cpuBefore === undefined || cpuAfter === undefined ? null : cpuAfter - cpuBefore,
  };
}

/**
 * Deletes: before each slice, codes are created (not timed, 8 at a time); the slice then deletes
 * each once, so its length follows the server's speed. The first slice (the warm-up) gets a small
 * pool; each later one about 1.5 times what this server deleted in a slice's time before (at
 * most `pool` a second), so a slow server is not handed thousands of codes to create and delete.
 */
const deleteSide = ({ server }: Target, pool: number, connections: number): Side => {
  let lastRate: number | undefined;
  return async (seconds) => {
    const ids: string[] = [];
    const wanted = lastRate === undefined ? connections * 20 : Math.min(pool * seconds, Math.round(lastRate * seconds * 1.5));
    const size = Math.max(connections, wanted);
    for (let i = 0; i < size; i += 8) ids.push(...(await Promise.all(Array.from({ length: Math.min(8, size - i) }, () => createCode(server.value, null)))));
    let next = 0;
    const cpuBefore = cpuMillisOf(server.pid);
    const started = performance.now();
    const { run, latencies, lastAnswer } = timedRun({
      url: server.value.url,
      connections,
      amount: ids.length,
      headers: headersFor(server.value),
      requests: [{ method: 'POST', path: '/access_codes/delete', setupRequest: (r) => ({ ...r, body: JSON.stringify({ access_code_id: ids[next++] }) }) }],
    });
    const result = await run;
    // autocannon ends a run of `amount` requests at its next whole-second tick, so its duration
    // would cap the rate at the pool's size a second: the slice lasts until the last answer.
    const slice = { ...sliceOf(result, latencies, cpuBefore, cpuMillisOf(server.pid)), seconds: (lastAnswer() - started) / 1000 };
    if (slice.seconds > 0) lastRate = slice.requests / slice.seconds;
    return slice;
  };
};

/** `connections` loops of `send` at once, timed like autocannon's requests, with this process's CPU. */
const loopSide =
  (connections: number, send: () => Promise<boolean>): Side =>
  async (seconds) => {
    const latencies: number[] = [];
    let failed = 0;
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const end = started + seconds * 1000;
    await Promise.all(
      Array.from({ length: connections }, async () => {
        while (performance.now() < end) {
          const t = performance.now();
          const ok = await send().catch(() => false);
          if (ok) latencies.push(performance.now() - t);
          else failed++;
        }
      }),
    );
    const cpu = process.cpuUsage(cpuBefore);
    return {
      requests: latencies.length,
      seconds: (performance.now() - started) / 1000,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      failed,
      cpuMs: (cpu.user + cpu.system) / 1000,
    };
  };

/** Creates a code on the served device, with `code` as its PIN or (null) a generated one. */
async function createCode(served: Served, code: string | null = '97531864'): Promise<string> {
  const response = await fetch(`${served.url}/access_codes/create`, {
    method: 'POST',
    headers: headersFor(served),
    body: JSON.stringify({ device_id: served.deviceId, name: 'Bench', ...(code === null ? {} : { code }) }),
  });
  const body = z.object({ access_code: z.object({ access_code_id: z.string() }) }).safeParse(await response.json());
  if (!body.success) throw new Error(`${served.url}: could not create the access code to read (${response.status})`);
  return body.data.access_code.access_code_id;
}

/** Starts a server process (on `core` alone, if given) and creates the code that get reads. */
async function startTarget(target: 'latchkey' | 'fake', env: Record<string, string>, core?: string): Promise<Target> {
  const server = await startChild('serve.ts', [target], servedSchema, childEnv(env), core);
  try {
    return { server, accessCodeId: await createCode(server.value) };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

const loadCells = (prefix: string, l: Load | undefined): Row => ({
  [`${prefix}rps`]: l?.reqPerSec ?? null,
  [`${prefix}p50`]: l?.p50 ?? null,
  [`${prefix}p99`]: l?.p99 ?? null,
  [`${prefix}cpu`]: l?.cpuMicros ?? null,
});
const loadColumns = (prefix: string, name: string): Column[] => [
  { key: `${prefix}rps`, label: `${name}req/s`, format: as.count },
  { key: `${prefix}p50`, label: 'p50 ms', format: as.twoDecimals },
  { key: `${prefix}p99`, label: 'p99 ms', format: as.twoDecimals },
  { key: `${prefix}cpu`, label: 'CPU µs/req', format: as.count },
];

const failureChecks = (side: string, name: string, l: Load | undefined): Check[] =>
  l !== undefined && l.failed > 0 ? [{ name: `${side} ${name}: answers`, value: `${l.failed} failed`, target: 'all 2xx', ok: false }] : [];

const loadNote = (s: LoadSettings) => `autocannon, ${s.connections} connections; per side ${s.rounds} slices of ${s.sliceSeconds} s, taking turns (ABBA), after ${s.warmupSeconds} s of warm-up each.`;

/** A bare node:http server answering a constant JSON: the floor a local get is held against. */
async function startFloor(core?: string): Promise<Target> {
  return { server: await startChild('serve.ts', ['floor'], servedSchema, childEnv(), core), accessCodeId: 'floor' };
}

/** Targets of 1a, in one run: each request kind at >= 3x the fake's req/s and <= 0.4x its p99; get >= 0.35x the floor's req/s. */
const vsFake = { rps: 3, p99: 0.4 };
const getVsFloor = 0.35;
/** At most this many codes made per second of a delete slice; each server's own rate sizes its pool below that. */
const deletePoolPerSecond = 1500;

/** Measure 1a: Latchkey's local server on the in-memory store against Seam's fake, same load, taking turns; get also against the floor. */
export async function measureAgainstFake(settings: LoadSettings): Promise<Section> {
  // Each server on one core of its own, the load generator on the others: the servers are measured, not autocannon.
  const fake = await startTarget('fake', {}, serverCore);
  const others = await Promise.all([startTarget('latchkey', { LATCHKEY_STORE: 'memory', LATCHKEY_SANDBOX_FAILURE_RATE: '0' }, serverCore), startFloor(serverCore)]).catch(async (error: unknown) => {
    await fake.server.stop();
    throw error;
  });
  const [latchkey, floor] = others;
  const rows: Row[] = [];
  const checks: Check[] = [];
  try {
    // A first warm-up over the requests that leave the lock as it was, on both servers alike, so
    // that the first kind measured (get) does not pay the servers' JIT warm-up that the later ones skip.
    const readOnly = scenarios().filter((s) => !s.deletes && !s.addsCodes);
    for (const target of [latchkey, fake]) for (const s of readOnly) await httpSide(target, s.request(target.server.value, target.accessCodeId), settings.connections)(settings.warmupSeconds);
    for (const scenario of scenarios()) {
      progress(`   1a ${scenario.name}`);
      const side = (t: Target) => (scenario.deletes ? deleteSide(t, deletePoolPerSecond, settings.connections) : httpSide(t, scenario.request(t.server.value, t.accessCodeId), settings.connections));
      const withFloor = scenario.name === 'get';
      const [l, f, b] = await alternate([latchkey, fake, ...(withFloor ? [floor] : [])].map(side), settings);
      if (l === undefined || f === undefined) continue;
      const throughput = ratio(l.reqPerSec, f.reqPerSec);
      const p99 = ratio(l.p99, f.p99);
      const cpu = l.cpuMicros !== null && f.cpuMicros !== null ? ratio(l.cpuMicros, f.cpuMicros) : null;
      const vsFloor = b === undefined ? null : ratio(l.reqPerSec, b.reqPerSec);
      rows.push({
        request: scenario.name,
        ...loadCells('latchkey_', l),
        ...loadCells('fake_', f),
        rps_ratio: throughput,
        p99_ratio: p99,
        cpu_ratio: cpu,
        floor_rps: b?.reqPerSec ?? null,
        vs_floor: vsFloor,
      });
      checks.push(
        { name: `${scenario.name}: req/s vs fake`, value: times(throughput), target: `>= ${vsFake.rps}×`, ok: throughput >= vsFake.rps },
        { name: `${scenario.name}: p99 vs fake`, value: times(p99), target: `<= ${vsFake.p99}×`, ok: p99 <= vsFake.p99 },
        ...(vsFloor === null ? [] : [{ name: `${scenario.name}: req/s vs floor`, value: times(vsFloor), target: `>= ${getVsFloor}×`, ok: vsFloor >= getVsFloor }]),
        ...failureChecks('Latchkey', scenario.name, l),
        ...failureChecks('fake', scenario.name, f),
        ...failureChecks('floor', scenario.name, b),
      );
    }
  } finally {
    await Promise.all([fake.server.stop(), latchkey.server.stop(), floor.server.stop()]);
  }
  return {
    id: 'api-vs-fake',
    title: '1a. Local API vs @seamapi/fake-seam-connect, both in memory; get vs the floor',
    notes: [
      `${loadNote(settings)} Latencies in ms.`,
      "Latchkey: npm start's server (LATCHKEY_STORE=memory, LOG_LEVEL=SILENT, poller timer 3600 s, its in-process worker on);",
      'fake: seeded, on 127.0.0.1. Floor (get only, a third side in the same turns): a bare node:http server that reads the',
      `body and answers a constant access_code JSON. One process each, ${serverCore === undefined ? 'unpinned (no taskset)' : `all pinned to core ${serverCore} (taskset), autocannon on the rest`}.`,
      "req/s: requests over the slices' time; p50/p99: medians over the slices, of each 2xx answer's time to the microsecond (autocannon's own histogram rounds to whole ms).",
      '"update" renames the code get reads; "create, PIN generated" omits the PIN; "create" chooses a fresh 8-digit PIN per request;',
      `"delete": before each slice about 1.5 slice-times of the server's previous delete rate in codes (at most ${deletePoolPerSecond} a second) are created (untimed), then each deleted once, timed to the last answer. Device:`,
      'the sandbox lock with the most slots (Latchkey) / august_device_1 (fake). Codes accumulate on it from run to run.',
      "CPU µs/req: the server process's CPU time (from /proc) per request answered; steadier than req/s on a shared machine.",
    ],
    columns: [
      { key: 'request', label: 'request' },
      ...loadColumns('latchkey_', 'Latchkey '),
      ...loadColumns('fake_', 'fake '),
      { key: 'rps_ratio', label: 'req/s ×', format: as.ratio },
      { key: 'p99_ratio', label: 'p99 ×', format: as.ratio },
      { key: 'cpu_ratio', label: 'CPU ×', format: as.ratio },
      { key: 'floor_rps', label: 'floor req/s', format: as.count },
      { key: 'vs_floor', label: 'vs floor', format: as.ratio },
    ],
    rows,
    checks,
  };
}

/** The slices of a 1b kind without a target: half of the run's, at least two (one turn each way). */
const untargeted = (settings: LoadSettings): LoadSettings => ({ ...settings, rounds: Math.max(2, Math.ceil(settings.rounds / 2)) });

/**
 * Measure 1b: the same requests against the DynamoDB Local server, each taking turns with a
 * bare DynamoDB loop on the same DynamoDB Local: the consistent GetItem get makes, or (for the
 * creates) a TransactWriteItems of four puts of copies of that code item, as a create commits
 * the code, its PIN claim, an action attempt and an event in one transaction.
 */
export async function measureOnDynamoDb(settings: LoadSettings, endpoint: string): Promise<Section> {
  const tableName = 'bench-api';
  const latchkey = await startTarget('latchkey', {
    LATCHKEY_STORE: 'dynamodb',
    LATCHKEY_DYNAMODB_ENDPOINT: endpoint,
    LATCHKEY_TABLE_NAME: tableName,
    LATCHKEY_SANDBOX_FAILURE_RATE: '0',
  });
  const client = localDynamoDbClient(endpoint);
  const rows: Row[] = [];
  const checks: Check[] = [];
  const floorLoads: Record<'GetItem' | 'transaction', Load[]> = { GetItem: [], transaction: [] };
  try {
    const Key = marshall(accessCodeKeys.key(latchkey.server.value.workspaceId, latchkey.accessCodeId));
    const { Item: code } = await client.send(new GetItemCommand({ TableName: tableName, Key, ConsistentRead: true }));
    if (code === undefined) throw new Error('the code to read is not in the table');
    const floors = {
      GetItem: loopSide(settings.connections, async () => (await client.send(new GetItemCommand({ TableName: tableName, Key, ConsistentRead: true }))).Item !== undefined),
      transaction: loopSide(settings.connections, async () => {
        const puts = Array.from({ length: 4 }, () => ({
          Put: { TableName: tableName, Item: { ...code, sk: { S: `BENCH#${randomUUID()}` } }, ConditionExpression: 'attribute_not_exists(pk)' },
        }));
        await client.send(new TransactWriteItemsCommand({ TransactItems: puts }));
        return true;
      }),
    };
    // Updates and deletes are measured in memory only (1a): 32 connections renaming one code on DynamoDB Local
    // measure its version conflicts (and left the engine a backlog that stalled the creates after them), and
    // making the codes to delete would take most of the run.
    for (const scenario of scenarios().filter((s) => s.deletes !== true && s.name !== 'update')) {
      const floorName = scenario.name.startsWith('create') ? 'transaction' : 'GetItem';
      const request = scenario.request(latchkey.server.value, latchkey.accessCodeId);
      // Only get has a target here: the other kinds, shown for what DynamoDB adds to each, take half the slices.
      const slices = scenario.name === 'get' ? settings : untargeted(settings);
      const [l, floor] = await alternate([httpSide(latchkey, request, settings.connections), floors[floorName]], slices);
      if (l === undefined || floor === undefined) continue;
      floorLoads[floorName].push(floor);
      const vsFloor = ratio(l.reqPerSec, floor.reqPerSec);
      rows.push({ request: scenario.name, ...loadCells('', l), floor: floorName, floor_rps: floor.reqPerSec, vs_floor: vsFloor });
      if (scenario.name === 'get') checks.push({ name: 'get: req/s vs GetItem floor', value: times(vsFloor), target: '>= 0.85×', ok: vsFloor >= 0.85 });
      checks.push(...failureChecks('Latchkey', scenario.name, l));
      if (floor.failed > 0) checks.push({ name: `${floorName} floor: requests`, value: `${floor.failed} failed`, target: 'none failed', ok: false });
    }
  } finally {
    client.destroy();
    await latchkey.server.stop();
  }
  const floorRow = (name: string, loads: Load[]): Row => ({
    request: name,
    ...loadCells('', loads[0]),
    floor: null,
    floor_rps: null,
    vs_floor: null,
  });
  return {
    id: 'api-on-dynamodb',
    title: '1b. Local API on DynamoDB Local vs bare DynamoDB requests',
    notes: [
      `${loadNote(settings)} (get; the other kinds, which have no target here, ${untargeted(settings).rounds} slices.) Latencies in ms.`,
      "Latchkey: npm start's server on an in-memory DynamoDB Local (its in-process worker on: each create also runs the",
      'engine step, two more transactions). Each request takes turns with its floor, on the same DynamoDB Local with as many',
      'loops as connections: the consistent GetItem get makes, or a TransactWriteItems of 4 code-sized puts (what a create commits).',
      "CPU µs/req: the server process's CPU per request; a floor's: its loop's (the SDK client alone). DynamoDB Local's not counted.",
      'The floor rows show the floor as measured next to get and next to the first create.',
    ],
    columns: [
      { key: 'request', label: 'request' },
      ...loadColumns('', ''),
      { key: 'floor', label: 'floor' },
      { key: 'floor_rps', label: 'floor req/s', format: as.count },
      { key: 'vs_floor', label: 'vs floor', format: as.ratio },
    ],
    rows: [...rows, floorRow('floor: bare GetItem', floorLoads.GetItem), floorRow('floor: bare TransactWriteItems, 4 puts', floorLoads.transaction)],
    checks,
  };
}
