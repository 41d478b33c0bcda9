import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { esbuildOptionsFor, functionBundling } from '../../infra/bundling';
import { type Check, type Row, type Section, as, fmt, ratio, times } from './report';
import { benchDir, median, repoRoot } from './support';

const run = promisify(execFile);
const budgetBytes = 500_000;
const floorName = 'floor: DynamoDB client only';

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

  const samples = new Map<string, number[]>(bundles.map((b) => [b.name, []]));
  for (let r = 0; r < settings.runs; r++) {
    // Interleaved, so that a slow moment of the machine touches every bundle alike.
    for (const b of bundles) samples.get(b.name)?.push(await importMillis(b.file));
  }
  const medians = new Map(bundles.map((b) => [b.name, median(samples.get(b.name) ?? [])]));
  const floor = medians.get(floorName) ?? Number.NaN;

  const rows = bundles.map((b): Row => {
    const ms = medians.get(b.name) ?? Number.NaN;
    return { bundle: b.name, kb: b.bytes / 1000, import_ms: ms, vs_floor: ratio(ms, floor) };
  });
  const functionBundles = bundles.filter((b) => b.name !== floorName);
  const importRatio = (b: Bundle) => ratio(medians.get(b.name) ?? Number.NaN, floor);
  const largest = functionBundles.reduce((a, b) => (b.bytes > a.bytes ? b : a));
  const slowest = functionBundles.reduce((a, b) => (importRatio(b) > importRatio(a) ? b : a));
  const overBudget = functionBundles.filter((b) => b.bytes > budgetBytes).length;
  const overFloor = functionBundles.filter((b) => !(importRatio(b) <= 1.3)).length;
  const checks: Check[] = [
    {
      name: "every bundle's size",
      value: `largest ${fmt(largest.bytes / 1000, 1)} KB (${largest.name}); ${overBudget} of ${functionBundles.length} over`,
      target: '<= 500 KB',
      ok: overBudget === 0,
    },
    {
      name: "every bundle's import vs floor",
      value: `slowest ${times(importRatio(slowest))} (${slowest.name}); ${overFloor} of ${functionBundles.length} over`,
      target: '<= 1.3×',
      ok: overFloor === 0,
    },
  ];
  return {
    id: 'cold-start',
    title: '3. Cold start: bundle size and import time',
    notes: [
      "Bundled with infra/bundling.ts (the CDK construct's options: minified ESM, target node24, banner, source map; the",
      'AWS SDK clients stay external as the Lambda runtime provides them, so sizes exclude them and imports load them).',
      `Import: median of ${settings.runs} fresh \`node --enable-source-maps\` processes each, timed around \`await import()\`, with`,
      'the deployed environment variables. Floor: a bundle that only constructs a DynamoDBClient.',
    ],
    columns: [
      { key: 'bundle', label: 'bundle' },
      { key: 'kb', label: 'KB', format: as.oneDecimal },
      { key: 'import_ms', label: 'import ms', format: as.oneDecimal },
      { key: 'vs_floor', label: 'vs floor', format: as.ratio },
    ],
    rows,
    checks,
  };
}
