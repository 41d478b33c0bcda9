import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { esbuildOptionsFor, functionBundling } from '../../infra/bundling';
import { type Check, type Row, type Section, as, fmt, ratio, times } from './report';
import { benchDir, median, progress, repoRoot } from './support';

const run = promisify(execFile);
const budgetBytes = 300_000;
const floorName = 'floor: DynamoDB client only';
/** Bundles, the slowest of a first pass, imported as often as the floor. */
const closerLook = 5;

export interface ColdStartSettings {
  /** Fresh processes per bundle. */
  runs: number;
  outDir: string;
}

interface Bundle {
  name: string;
  file: string;
  bytes: number;
}

/** Bundles `entry` with the options the CDK construct uses (infra/bundling.ts). */
async function bundle(name: string, entry: string, outDir: string): Promise<Bundle> {
  const file = join(outDir, name, 'index.mjs');
  await build(esbuildOptionsFor(functionBundling, entry, file));
  return { name, file, bytes: statSync(file).size };
}

/**
 * Milliseconds to import the bundle in a fresh Node process, measured inside it, with the
 * Node options and the kind of environment the deployed function has.
 */
async function importMillis(file: string): Promise<number> {
  const script = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); process.stdout.write(String(performance.now() - t));`;
  const { stdout } = await run(process.execPath, ['--enable-source-maps', '--input-type=module', '-e', script], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH,
      AWS_REGION: 'us-east-1',
      LATCHKEY_STORE: 'dynamodb',
      LATCHKEY_TABLE_NAME: 'latchkey',
      LATCHKEY_EVENT_BUS_NAME: 'latchkey',
      LOG_LEVEL: 'INFO',
      POWERTOOLS_SERVICE_NAME: 'latchkey',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
  });
  return Number(stdout);
}

/**
 * A stand-in for an empty DynamoDB table: every read finds nothing, every write succeeds. The
 * whole-init measure's first requests make their real round trips to it, without Java.
 */
async function emptyTable(): Promise<{ endpoint: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const answer = /\.(Query|Scan)$/.test(target) ? { Items: [], Count: 0, ScannedCount: 0 } : /BatchGetItem$/.test(target) ? { Responses: {} } : {};
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { endpoint: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** One function of each kind and the first event it gets, as its trigger sends it. */
const initCases: { kind: string; fn: string; event: unknown }[] = [
  {
    kind: 'HTTP route (get, key unknown: 401)',
    fn: 'access-codes-get',
    event: {
      version: '2.0',
      routeKey: '$default',
      rawPath: '/access_codes/get',
      rawQueryString: '',
      headers: { authorization: 'Bearer seam_bench_0000000000000000', 'content-type': 'application/json' },
      requestContext: { http: { method: 'POST', path: '/access_codes/get' }, domainName: 'localhost' },
      body: JSON.stringify({ access_code_id: '00000000-0000-4000-8000-000000000000' }),
      isBase64Encoded: false,
    },
  },
  { kind: 'poller (one shard, nothing due)', fn: 'poll-pending-codes', event: { shards: [0] } },
  { kind: 'stream job (outbox relay, empty batch)', fn: 'publish-events', event: { Records: [] } },
  {
    kind: 'bus job (access code event, code gone)',
    fn: 'process-access-code',
    event: {
      detail: {
        event_id: '00000000-0000-4000-8000-000000000002',
        event_type: 'access_code.created',
        created_at: '2026-12-06T00:00:00.000Z',
        occurred_at: '2026-12-06T00:00:00.000Z',
        workspace_id: '00000000-0000-4000-8000-000000000001',
        access_code_id: '00000000-0000-4000-8000-000000000000',
        device_id: '00000000-0000-4000-8000-000000000003',
        connected_account_id: '00000000-0000-4000-8000-000000000004',
      },
    },
  },
  { kind: 'queue job (webhook deliveries, empty batch)', fn: 'deliver-webhooks', event: { Records: [] } },
];

/**
 * The whole init of a function in a fresh process, as Lambda runs it: the bundle's import
 * (which builds appDeps()), then the first invocation of its handler with a Lambda context.
 */
async function initMillis(file: string, event: unknown, endpoint: string, tracing: boolean): Promise<{ import_ms: number; first_ms: number }> {
  const context = `{ awsRequestId: 'bench', functionName: 'bench', functionVersion: '1', invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:bench', memoryLimitInMB: '1024', getRemainingTimeInMillis: () => 60000, callbackWaitsForEmptyEventLoop: true }`;
  const script = [
    'const t0 = performance.now();',
    `const { handler } = await import(${JSON.stringify(pathToFileURL(file).href)});`,
    'const t1 = performance.now();',
    // A first invocation that throws would measure a path Lambda does not take: the bench stops, naming the error.
    `try { await handler(${JSON.stringify(event)}, ${context}); } catch (error) { process.stderr.write('\\nthrew ' + String(error?.name)); process.exit(1); }`,
    'const t2 = performance.now();',
    'process.stderr.write("\\n@@" + JSON.stringify({ import_ms: t1 - t0, first_ms: t2 - t1 }));',
    'process.exit(0);',
  ].join('\n');
  const { stderr } = await run(process.execPath, ['--enable-source-maps', '--input-type=module', '-e', script], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'bench',
      AWS_SECRET_ACCESS_KEY: 'bench',
      AWS_ENDPOINT_URL_DYNAMODB: endpoint,
      LATCHKEY_STORE: 'dynamodb',
      LATCHKEY_TABLE_NAME: 'latchkey',
      LATCHKEY_EVENT_BUS_NAME: 'latchkey',
      LOG_LEVEL: 'INFO',
      POWERTOOLS_SERVICE_NAME: 'latchkey',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      // As the Lambda runtime sets it: the Powertools Tracer (and X-Ray) is on; with no daemon, segments go nowhere.
      ...(tracing && {
        AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
        AWS_XRAY_CONTEXT_MISSING: 'IGNORE_ERROR',
        _X_AMZN_TRACE_ID: 'Root=1-00000000-000000000000000000000000;Parent=0000000000000000;Sampled=1',
      }),
    },
  });
  const line = stderr.split('\n').find((l) => l.startsWith('@@'));
  if (line === undefined) throw new Error(`no measure from ${file}: ${stderr.slice(0, 500)}`);
  return JSON.parse(line.slice(2));
}

/** Measure 3b: the whole init per function kind, tracing off (as elsewhere) and on (as in AWS). */
async function measureWholeInit(bundles: Bundle[], runs: number): Promise<Row[]> {
  const table = await emptyTable();
  try {
    const rows: Row[] = [];
    for (const c of initCases) {
      const b = bundles.find((x) => x.name === c.fn);
      if (b === undefined) continue;
      for (const tracing of [false, true]) {
        const samples: { import_ms: number; first_ms: number }[] = [];
        for (let r = 0; r < runs; r++) samples.push(await initMillis(b.file, c.event, table.endpoint, tracing));
        const imp = median(samples.map((s) => s.import_ms));
        const first = median(samples.map((s) => s.first_ms));
        rows.push({ bundle: `init: ${c.kind}${tracing ? ', traced' : ''}`, kb: b.bytes / 1000, import_ms: imp, first_ms: first, init_ms: median(samples.map((s) => s.import_ms + s.first_ms)) });
      }
    }
    return rows;
  } finally {
    await table.close();
  }
}

/** Measure 3: every function's bundle size and import time, against a bundle of only the DynamoDB client. */
export async function measureColdStart(settings: ColdStartSettings): Promise<Section> {
  rmSync(settings.outDir, { recursive: true, force: true });
  mkdirSync(settings.outDir, { recursive: true });
  const functionsDir = join(repoRoot, 'functions');
  const names = readdirSync(functionsDir)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => f.slice(0, -3))
    .sort();
  const bundles = await Promise.all([
    bundle(floorName.replace(/\W+/g, '-'), join(benchDir, 'floor-entry.ts'), settings.outDir).then((b) => ({ ...b, name: floorName })),
    ...names.map((name) => bundle(name, join(functionsDir, `${name}.ts`), settings.outDir)),
  ]);

  // Every bundle is imported `firstRuns` times; the floor and the slowest few, which decide the
  // check, the rest of `runs` too. The function bundles share most of their code, so the others'
  // medians settle sooner, and a full run spends its minutes where the verdict is.
  const firstRuns = Math.ceil(settings.runs / 2);
  progress(`   3 ${bundles.length} bundles built; importing each ${firstRuns} times, the floor and the ${closerLook} slowest ${settings.runs}`);
  const samples = new Map<string, number[]>(bundles.map((b) => [b.name, []]));
  const sample = async (some: readonly Bundle[], runs: number) => {
    // Interleaved, so that a slow moment of the machine touches every bundle alike.
    for (let r = 0; r < runs; r++) for (const b of some) samples.get(b.name)?.push(await importMillis(b.file));
  };
  const medianOf = (b: Bundle) => median(samples.get(b.name) ?? []);
  await sample(bundles, firstRuns);
  const slowestFirst = bundles
    .filter((b) => b.name !== floorName)
    .sort((a, b) => medianOf(b) - medianOf(a))
    .slice(0, closerLook);
  await sample([...bundles.filter((b) => b.name === floorName), ...slowestFirst], settings.runs - firstRuns);
  const medians = new Map(bundles.map((b) => [b.name, medianOf(b)]));
  const floor = medians.get(floorName) ?? Number.NaN;

  const rows = bundles.map((b): Row => {
    const ms = medians.get(b.name) ?? Number.NaN;
    return { bundle: b.name, kb: b.bytes / 1000, import_ms: ms, vs_floor: ratio(ms, floor) };
  });
  progress('   3 whole init per function kind');
  rows.push(...(await measureWholeInit(bundles, settings.runs)));
  const functionBundles = bundles.filter((b) => b.name !== floorName);
  const importRatio = (b: Bundle) => ratio(medians.get(b.name) ?? Number.NaN, floor);
  const largest = functionBundles.reduce((a, b) => (b.bytes > a.bytes ? b : a));
  const slowest = functionBundles.reduce((a, b) => (importRatio(b) > importRatio(a) ? b : a));
  const overBudget = functionBundles.filter((b) => b.bytes > budgetBytes).length;
  const overFloor = functionBundles.filter((b) => !(importRatio(b) <= 1.2)).length;
  const checks: Check[] = [
    {
      name: "every bundle's size",
      value: `largest ${fmt(largest.bytes / 1000, 1)} KB (${largest.name}); ${overBudget} of ${functionBundles.length} over`,
      target: '<= 300 KB',
      ok: overBudget === 0,
    },
    {
      name: "every bundle's import vs floor",
      value: `slowest ${times(importRatio(slowest))} (${slowest.name}); ${overFloor} of ${functionBundles.length} over`,
      target: '<= 1.2×',
      ok: overFloor === 0,
    },
  ];
  return {
    id: 'cold-start',
    title: '3. Cold start: bundle size and import time',
    notes: [
      "Bundled with infra/bundling.ts (the CDK construct's options: minified ESM, target node24, banner, source map; the",
      'AWS SDK clients stay external as the Lambda runtime provides them, so sizes exclude them and imports load them).',
      `Import: median of ${firstRuns} fresh \`node --enable-source-maps\` processes each (the floor and the ${closerLook} slowest of those: ${settings.runs}), timed around \`await import()\`, with`,
      'the deployed environment variables. Floor: a bundle that only constructs a DynamoDBClient.',
      'Whole init (rows "init: ..."): one fresh process per run imports the bundle (which builds appDeps()) and invokes its',
      "handler once with its trigger's event and a Lambda context; DynamoDB is an in-process stand-in for an empty table",
      '(real HTTP round trips). "traced" sets AWS_EXECUTION_ENV as the Lambda runtime does, so the Powertools Tracer and X-Ray',
      'load and wrap the handler as in AWS (the stack turns X-Ray on for every function).',
    ],
    columns: [
      { key: 'bundle', label: 'bundle' },
      { key: 'kb', label: 'KB', format: as.oneDecimal },
      { key: 'import_ms', label: 'import ms', format: as.oneDecimal },
      { key: 'vs_floor', label: 'vs floor', format: as.ratio },
      { key: 'first_ms', label: 'first request ms', format: as.oneDecimal },
      { key: 'init_ms', label: 'whole init ms', format: as.oneDecimal },
    ],
    rows,
    checks,
  };
}
