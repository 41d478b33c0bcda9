import * as z from 'zod';
import { countRequests, describe } from './dynamodb-cost';
import { prices, splitCapacity } from './prices';
import { type Check, type Row, type Section, fmt } from './report';
import { childEnv, emit, runChild, sleep } from './support';

/** Target of issue #20: a code's whole life for at most this many dollars per 1,000 codes. */
const TARGET_PER_1000 = 0.05;
const SWEEP_MINUTES = 5;

const usageSchema = z.object({
  requests: z.record(z.string(), z.number()),
  capacity: z.record(z.string(), z.number()),
  /** What DynamoDB Local reported for the transactions that `capacity` prices from their items. */
  transactionUnitsReported: z.number(),
  /** Lambda invocations by function. */
  invocations: z.record(z.string(), z.number()),
  /** Milliseconds the invocations took, by function (measured on this machine). */
  ms: z.record(z.string(), z.number()),
  apiRequests: z.number(),
  eventsPut: z.number(),
  sqsMessages: z.number(),
});
type Usage = z.infer<typeof usageSchema>;
export const codeLifeSchema = z.object({
  codes: z.number(),
  /** The whole life, the idle poll ticks' cost taken out. */
  life: usageSchema,
  /** Poll ticks the life took, and one idle tick (no codes), measured before the codes existed. */
  ticks: z.number(),
  idleTick: usageSchema,
  verified: z.number(),
  gone: z.number(),
  /** Write and read units by phase (create and set, verification, delete and removal), poll ticks included. */
  phases: z.array(z.object({ phase: z.string(), read: z.number(), write: z.number(), ticks: z.number() })),
  seconds: z.number(),
});
type CodeLife = z.infer<typeof codeLifeSchema>;

const add = (into: Record<string, number>, key: string, n: number) => {
  into[key] = (into[key] ?? 0) + n;
};

/**
 * Child side: `codes` codes live their whole life on DynamoDB Local through local mode's real
 * handlers and trigger stand-ins (the table's stream is the outbox), on a clock moved by hand:
 * created through the create route, set by the engine, verified once by the lock sweep
 * (LATCHKEY_LOCK_SWEEP_MINUTES), deleted through the delete route, removed until gone. Every
 * DynamoDB request, Lambda invocation (and its duration), API request, event put and
 * follow-up message is counted.
 */
export async function runCodeLife(endpoint: string, [codesArg = '100']: string[]): Promise<void> {
  const [
    { buildDeps },
    { loadConfig },
    { ensureTable, localDynamoDbClient },
    { createDynamoDbStores },
    { InProcessBus },
    { InProcessFollowUps },
    { InProcessDeliveryQueue },
    { createWorkspace },
    { startLocalTriggers },
    { jobs },
    { ManualClock, invoke },
    { lambdaContext },
  ] = await Promise.all([
    import('../../lib/wiring/whole-app'),
    import('../../lib/config'),
    import('../../lib/adapters/dynamodb-table-setup'),
    import('../../lib/adapters/dynamodb-stores'),
    import('../../lib/adapters/in-process-bus'),
    import('../../lib/adapters/in-process-follow-ups'),
    import('../../lib/adapters/in-process-delivery-queue'),
    import('../../lib/workspaces/workspaces'),
    import('../../lib/local/local-triggers'),
    import('../../lib/triggers'),
    import('../support/memory-app'),
    import('../../lib/local/server'),
  ]);
  const codes = Number(codesArg);
  const started = performance.now();
  const tableName = 'bench-code-life';
  const client = localDynamoDbClient(endpoint);
  await ensureTable(client, tableName);
  // The bench's own look-ups (has the code reached `set`? is it gone?) go through a client that is not counted.
  const lookClient = localDynamoDbClient(endpoint);
  // Transactions are priced from their items, as DynamoDB Local undercounts them (transaction-units.ts).
  const counter = countRequests(client, { priceTransactions: lookClient });
  const look = createDynamoDbStores({ client: lookClient, tableName });
  const clock = new ManualClock(new Date('2026-12-01T12:00:00.000Z'));
  const config = loadConfig({
    LATCHKEY_STORE: 'dynamodb',
    LATCHKEY_DYNAMODB_ENDPOINT: endpoint,
    LATCHKEY_TABLE_NAME: tableName,
    LOG_LEVEL: 'SILENT',
    LATCHKEY_LOCK_SWEEP_MINUTES: String(SWEEP_MINUTES),
    LATCHKEY_SANDBOX_LATENCY_MS: '0',
  });

  const usage = {
    invocations: {} as Record<string, number>,
    ms: {} as Record<string, number>,
    apiRequests: 0,
    eventsPut: 0,
    sqsMessages: 0,
  };
  const reset = () => {
    counter.reset();
    usage.invocations = {};
    usage.ms = {};
    usage.apiRequests = 0;
    usage.eventsPut = 0;
    usage.sqsMessages = 0;
  };
  const snapshot = (): Usage => ({
    requests: Object.fromEntries(counter.commands),
    capacity: Object.fromEntries(counter.capacityByCommand),
    transactionUnitsReported: counter.transactionUnitsReported,
    invocations: { ...usage.invocations },
    ms: { ...usage.ms },
    apiRequests: usage.apiRequests,
    eventsPut: usage.eventsPut,
    sqsMessages: usage.sqsMessages,
  });
  type Fn = (event: unknown, context: ReturnType<typeof lambdaContext>) => Promise<unknown>;
  // Invocations run one at a time, as each would in its own Lambda instance: in one process,
  // side by side, each one's duration would also hold the others' work.
  let running: Promise<unknown> = Promise.resolve();
  /** A handler that counts its invocations and their duration (the GB-seconds proxy). */
  const timed =
    (fn: string, handler: Fn): Fn =>
    (event, context) => {
      const turn = running.then(async () => {
        const t = performance.now();
        try {
          return await handler(event, context);
        } finally {
          add(usage.invocations, fn, 1);
          add(usage.ms, fn, performance.now() - t);
        }
      });
      running = turn.catch(() => {});
      return turn;
    };

  const bus = new InProcessBus();
  const countingBus = Object.assign(bus, {
    publish: ((publish) => async (events: Parameters<typeof bus.publish>[0]) => {
      usage.eventsPut += events.length;
      return publish(events);
    })(bus.publish.bind(bus)),
  });
  const followUps = new InProcessFollowUps(clock);
  const schedule = followUps.schedule.bind(followUps);
  followUps.schedule = async (...args) => {
    usage.sqsMessages += 1;
    return schedule(...args);
  };
  const deliveries = new InProcessDeliveryQueue(clock);
  const deps = buildDeps(config, { ...createDynamoDbStores({ client, tableName }), clock, publisher: countingBus, followUps, deliveries });
  const app = { deps, bus: countingBus, followUps, deliveries };

  let poll: Fn | undefined;
  const stops = await startLocalTriggers(
    jobs,
    app,
    // The poll schedule's timer never fires: the bench ticks it by hand as it moves the clock.
    { tickSeconds: 1_000_000, stream: { endpoint, client: localDynamoDbClient(endpoint), tableName, pollMs: 20 } },
    async (fn, appDeps) => {
      const module: { makeHandler: (d: typeof appDeps) => Fn } = await import(`../../functions/${fn}`);
      const handler = timed(fn, module.makeHandler(appDeps));
      if (fn === 'poll-pending-codes') poll = handler;
      return handler;
    },
  );
  if (poll === undefined) throw new Error('no poll job in the trigger table');
  const tick = poll;
  const route = async (fn: string, path: string, body: object, apiKey: string) => {
    const module: { makeHandler: (d: typeof deps) => Fn } = await import(`../../functions/${fn}`);
    const handler = timed(fn, module.makeHandler(deps));
    usage.apiRequests += 1;
    return invoke(handler as never, { method: 'POST', path, body, apiKey });
  };

  const { workspace, api_key: apiKey } = await createWorkspace(deps, { name: 'Bench', sandbox: true, sandboxFailureRate: 0 });
  const workspaceId = workspace.workspace_id;
  const device = (await deps.devices.list(workspaceId, { limit: 100 })).find((d) => d.device.device_type === 'kwikset_lock')?.device;
  if (device === undefined) throw new Error('no kwikset sandbox lock');
  const minute = async () => {
    clock.advance(60_000);
    await tick({}, lambdaContext('poll-pending-codes'));
  };
  // The sandbox locks join the sweep and are placed; the API key is cached, as a warm function has it.
  for (let i = 0; i < SWEEP_MINUTES + 2; i++) await minute();
  await route('access-codes-list', '/access_codes/list', {}, apiKey);
  await sleep(500);
  // One idle tick: what the schedule costs with no code at all, taken out of the life's ticks.
  reset();
  await minute();
  const idleTick = snapshot();

  reset();
  let ticks = 0;
  const ids: string[] = [];
  const lookAll = async () => Promise.all(ids.map((id) => look.accessCodes.get(workspaceId, id)));
  /** Moves the clock a second at a time (a minute's tick every 60), waiting for the outbox and bus, until `done`. */
  const until = async (what: string, done: () => Promise<boolean>) => {
    for (let step = 1; step <= 3_600; step++) {
      if (await done()) return;
      await sleep(30);
      clock.advance(1_000);
      if (step % 60 === 0) {
        ticks += 1;
        await tick({}, lambdaContext('poll-pending-codes'));
      }
    }
    throw new Error(`code-life: ${what} not reached`);
  };
  for (let i = 0; i < codes; i += 10) {
    const batch = Array.from({ length: Math.min(10, codes - i) }, (_, j) => i + j);
    for (const res of await Promise.all(batch.map((n) => route('access-codes-create', '/access_codes/create', { device_id: device.device_id, name: `Guest ${n}` }, apiKey)))) {
      const body = res.body as { access_code?: { access_code_id: string } };
      if (res.status !== 200 || body.access_code === undefined) throw new Error(`create answered ${res.status}`);
      ids.push(body.access_code.access_code_id);
    }
  }
  const phases: CodeLife['phases'] = [];
  let last = { read: 0, write: 0, ticks: 0 };
  const phase = (name: string) => {
    const now = { ...splitCapacity(Object.fromEntries(counter.capacityByCommand)), ticks };
    phases.push({ phase: name, read: now.read - last.read, write: now.write - last.write, ticks: now.ticks - last.ticks });
    last = now;
  };
  await until('every code set', async () => (await lookAll()).every((r) => r?.access_code.status === 'set'));
  phase('create and set');
  const setAt = new Map((await lookAll()).map((r) => [r?.access_code.access_code_id, r?.access_code.last_verified_at]));
  // One sweep interval: every lock read once, so each code verified once.
  const verifiedCount = async () => (await lookAll()).filter((r) => r !== undefined && r.access_code.last_verified_at !== setAt.get(r.access_code.access_code_id)).length;
  // A code set within half an interval of its lock's read is fresh and not written again: the
  // sweep goes on until every code has been verified once (at most three intervals).
  let verified = await verifiedCount();
  for (let m = 0; m < 3 * SWEEP_MINUTES && verified < codes; m++) {
    ticks += 1;
    await minute();
    verified = await verifiedCount();
  }
  phase('one verification');
  for (let i = 0; i < ids.length; i += 10) {
    await Promise.all(ids.slice(i, i + 10).map((id) => route('access-codes-delete', '/access_codes/delete', { access_code_id: id }, apiKey)));
  }
  await until('every code gone', async () => (await lookAll()).every((r) => r === undefined));
  await sleep(500);
  phase('delete and removal');
  const life = snapshot();
  const gone = (await lookAll()).filter((r) => r === undefined).length;
  for (const stop of stops) await stop();
  emit({ codes, life, ticks, idleTick, verified, gone, phases, seconds: (performance.now() - started) / 1000 } satisfies CodeLife);
  client.destroy();
  lookClient.destroy();
}

const sumOf = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);

/** Per-code usage: the life minus `ticks` idle poll ticks (the schedule runs with or without codes), over `codes`. */
function perCode(r: CodeLife) {
  const cap = splitCapacity(r.life.capacity);
  const idle = splitCapacity(r.idleTick.capacity);
  const pollMs = (r.life.ms['poll-pending-codes'] ?? 0) - r.ticks * (r.idleTick.ms['poll-pending-codes'] ?? 0);
  const otherMs = sumOf(r.life.ms) - (r.life.ms['poll-pending-codes'] ?? 0);
  const invocations = sumOf(r.life.invocations) - (r.life.invocations['poll-pending-codes'] ?? 0);
  return {
    reads: Math.max(0, cap.read - r.ticks * idle.read) / r.codes,
    writes: Math.max(0, cap.write - r.ticks * idle.write) / r.codes,
    invocations: invocations / r.codes,
    gbSeconds: (((Math.max(0, pollMs) + otherMs) / 1000) * prices.lambdaMemoryGb) / r.codes,
    apiRequests: r.life.apiRequests / r.codes,
    eventsPut: r.life.eventsPut / r.codes,
    // Each follow-up message is sent, received and deleted: three SQS requests.
    sqsRequests: (3 * r.life.sqsMessages) / r.codes,
  };
}

/** Measure 7 (parent side). */
export async function measureCodeLife(endpoint: string, codes: number): Promise<Section> {
  const r = await runChild('child.ts', ['code-life', endpoint, String(codes)], codeLifeSchema, childEnv({ LATCHKEY_STORE: 'memory' }));
  const u = perCode(r);
  const per1000 = {
    reads: u.reads * 1000 * prices.readRequestUnit,
    writes: u.writes * 1000 * prices.writeRequestUnit,
    lambdaRequests: u.invocations * 1000 * prices.lambdaRequest,
    lambdaGbSeconds: u.gbSeconds * 1000 * prices.lambdaGbSecond,
    apiGateway: u.apiRequests * 1000 * prices.apiGatewayRequest,
    eventBridge: u.eventsPut * 1000 * prices.eventBridgeEvent,
    sqs: u.sqsRequests * 1000 * prices.sqsRequest,
  };
  const total = Object.values(per1000).reduce((a, b) => a + b, 0);
  const share = (v: number) => `${fmt((100 * v) / total, 0)}%`;
  const money = (v: number) => `$${fmt(v, 5)}`;
  const rows: Row[] = [
    { part: 'DynamoDB reads', per_code: `${fmt(u.reads, 2)} RRU`, per_1000: money(per1000.reads), share: share(per1000.reads) },
    { part: 'DynamoDB writes', per_code: `${fmt(u.writes, 2)} WRU`, per_1000: money(per1000.writes), share: share(per1000.writes) },
    { part: 'Lambda requests', per_code: fmt(u.invocations, 2), per_1000: money(per1000.lambdaRequests), share: share(per1000.lambdaRequests) },
    { part: `Lambda GB-s (${prices.lambdaMemoryGb} GB x measured duration)`, per_code: fmt(u.gbSeconds, 4), per_1000: money(per1000.lambdaGbSeconds), share: share(per1000.lambdaGbSeconds) },
    { part: 'API Gateway requests', per_code: fmt(u.apiRequests, 2), per_1000: money(per1000.apiGateway), share: share(per1000.apiGateway) },
    { part: 'EventBridge events put', per_code: fmt(u.eventsPut, 2), per_1000: money(per1000.eventBridge), share: share(per1000.eventBridge) },
    { part: 'SQS requests (follow-ups x3)', per_code: fmt(u.sqsRequests, 2), per_1000: money(per1000.sqs), share: share(per1000.sqs) },
    { part: 'total', per_code: null, per_1000: money(total), share: '100%' },
  ];
  const idle = splitCapacity(r.idleTick.capacity);
  for (const p of r.phases) {
    const read = Math.max(0, p.read - p.ticks * idle.read) / r.codes;
    const write = Math.max(0, p.write - p.ticks * idle.write) / r.codes;
    rows.push({
      part: `  of which ${p.phase}: RRU / WRU`,
      per_code: `${fmt(read, 1)} / ${fmt(write, 1)}`,
      per_1000: money(1000 * (read * prices.readRequestUnit + write * prices.writeRequestUnit)),
      share: share(1000 * (read * prices.readRequestUnit + write * prices.writeRequestUnit)),
    });
  }
  const checks: Check[] = [
    { name: "a code's whole life, per 1,000 codes", value: money(total), target: `<= $${TARGET_PER_1000}`, ok: total <= TARGET_PER_1000 },
    { name: 'codes verified by the sweep', value: `${r.verified} of ${r.codes}`, target: String(r.codes), ok: r.verified === r.codes },
    { name: 'codes gone after delete', value: `${r.gone} of ${r.codes}`, target: String(r.codes), ok: r.gone === r.codes },
  ];
  const invocations = Object.entries(r.life.invocations)
    .map(([fn, n]) => `${fn} ${fmt(n / r.codes, 2)} (${fmt((r.life.ms[fn] ?? 0) / n, 0)} ms each)`)
    .join(', ');
  return {
    id: 'code-life',
    title: "7. Cost of a code's whole life (AWS on-demand, per 1,000 codes)",
    notes: [
      `${r.codes} codes on one sandbox lock, on DynamoDB Local through local mode's real handlers and trigger stand-ins (the table's`,
      'stream is the outbox) on a clock moved by hand: created through the create route, set by the engine, verified once by',
      `the lock sweep (LATCHKEY_LOCK_SWEEP_MINUTES=${SWEEP_MINUTES}), deleted through the delete route, removed until gone (${fmt(r.seconds, 0)} s).`,
      `Counted: DynamoDB capacity (ReturnConsumedCapacity), every invocation and its duration, events put, follow-up messages.`,
      `The ${r.ticks} poll ticks of the life are counted less ${r.ticks} idle ticks (measured: ${describe(r.idleTick.requests)}), as the schedule runs anyway;`,
      'their invocations are left out for the same reason. GB-s is a proxy: 1 GB x the duration on this machine.',
      `Invocations per code: ${invocations}. DynamoDB requests in the life: ${describe(r.life.requests)};`,
      `capacity units by command: ${Object.entries(r.life.capacity)
        .map(([c, n]) => `${c.replace('Command', '')} ${fmt(n / r.codes, 1)}`)
        .join(', ')} a code.`,
      `TransactWriteItems priced from their items (2 units per KB of each item, rounded up per item, and of each index copy):`,
      `DynamoDB Local itself reported ${fmt(r.life.transactionUnitsReported / r.codes, 1)} a code for them, as it counts each distinct item size once.`,
      `Prices: $${prices.readRequestUnit * 1e6}/M reads, $${prices.writeRequestUnit * 1e6}/M writes, Lambda $${prices.lambdaRequest * 1e6}/M requests and $${prices.lambdaGbSecond}/GB-s,`,
      `HTTP API $${prices.apiGatewayRequest * 1e6}/M, EventBridge $${prices.eventBridgeEvent * 1e6}/M events, SQS $${prices.sqsRequest * 1e6}/M requests.`,
    ],
    columns: [
      { key: 'part', label: 'part' },
      { key: 'per_code', label: 'per code' },
      { key: 'per_1000', label: 'per 1,000 codes' },
      { key: 'share', label: 'share' },
    ],
    rows,
    checks,
  };
}
