import { App, Stack } from 'aws-cdk-lib';
import { Table } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { build } from 'esbuild';
import * as fs from 'node:fs';
import { builtinModules } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { esbuildOptionsFor, functionBundling, providerClientModules, runtimeProvidedModules } from '../../infra/bundling';
import { parseConfig } from '../../infra/config';
import { LatchkeyFunction } from '../../infra/constructs/latchkey-function';
import { functionEntry, functionNames } from '../../infra/functions';
import { callsLocks, needsOf } from '../../lib/triggers';

// 441 KB: the largest bundle is 439.5 KB (locks-unlock-door). Since each function's entry wires
// only the pieces its table entry needs (lib/wiring/), the functions that call no lock leave the
// providers and the engine out (~373 KB), those that take no engine step the engine (the create,
// ~419 KB), and no bundle holds the memory store. The X-Ray SDK and the Tracer (~124 KB) are
// still in every bundle. Issue #20 aims at 300 KB: lower it, never raise it.
const budgetBytes = 441_000;
const outDir = path.join(os.tmpdir(), 'latchkey-bundle-size');
/** The faces of the lock side (lib/wiring/locks.ts): what a function whose table entry calls no lock leaves out. */
const lockSide = ['lib/wiring/locks.ts', 'lib/providers/registry.ts'];
/** The faces of the engine (lib/wiring/engine.ts): what a function whose table entry takes no engine step leaves out. */
const engineSide = ['lib/wiring/engine.ts', 'lib/engine/engine.ts'];

/** Bundles a function exactly as its NodejsFunction does, in memory. */
async function bundle(name: string) {
  const outfile = path.join(outDir, name, 'index.mjs');
  const result = await build({ ...esbuildOptionsFor(functionBundling, functionEntry(name), outfile), write: false, metafile: true });
  const code = result.outputFiles.find((file) => file.path === outfile);
  if (!code) throw new Error(`esbuild wrote no ${outfile}`);
  const imports = Object.values(result.metafile.outputs)
    .flatMap((output) => output.imports)
    .filter((imported) => imported.external);
  const externals = imports.filter((imported) => imported.kind !== 'dynamic-import').map((imported) => imported.path);
  const loadedLater = imports.filter((imported) => imported.kind === 'dynamic-import').map((imported) => imported.path);
  // Files whose code is in the bundle: an import whose bindings go unused is read but leaves nothing.
  const held = Object.values(result.metafile.outputs).flatMap((output) =>
    Object.entries(output.inputs)
      .filter(([, input]) => input.bytesInOutput > 0)
      .map(([file]) => file),
  );
  return { bytes: code.contents.byteLength, externals: [...new Set(externals)], loadedLater: [...new Set(loadedLater)], inputs: Object.keys(result.metafile.inputs), held };
}

const bundles = new Map<string, ReturnType<typeof bundle>>();
const bundleOf = (name: string) => {
  const existing = bundles.get(name);
  if (existing) return existing;
  const started = bundle(name);
  bundles.set(name, started);
  return started;
};

// Start every build at once; esbuild runs them in parallel.
// Dozens of bundles on a shared two-core machine: allow minutes, not the default 30 s.
beforeAll(() => Promise.all(functionNames.map(bundleOf)), 180_000);

describe.each(functionNames)('the bundle of %s', (name) => {
  test(`is under ${budgetBytes / 1000} KB minified`, async () => {
    const { bytes } = await bundleOf(name);
    expect(bytes).toBeLessThan(budgetBytes);
  });

  test("leaves the edge agent's Z-Wave and MQTT stack out (zwave-js, mqtt, aedes)", async () => {
    const { inputs } = await bundleOf(name);
    expect(inputs.filter((file) => /node_modules\/(zwave-js|@zwave-js|mqtt|aedes)\//.test(file) || file.startsWith('edge/'))).toEqual([]);
  });

  test('imports from outside only Node built-ins and the SDK clients the Lambda runtime provides', async () => {
    const { externals } = await bundleOf(name);
    const builtins = new Set(builtinModules);
    const unexpected = externals.filter((module) => !module.startsWith('node:') && !builtins.has(module) && !runtimeProvidedModules.includes(module));
    expect(unexpected).toEqual([]);
  });

  test('loads a provider client only on first use, never at start', async () => {
    const { externals, loadedLater } = await bundleOf(name);
    expect(externals.filter((module) => providerClientModules.includes(module))).toEqual([]);
    const known = new Set([...builtinModules, ...providerClientModules, ...runtimeProvidedModules]);
    expect(loadedLater.filter((module) => !module.startsWith('node:') && !known.has(module))).toEqual([]);
  });

  test('holds the lock side exactly when its table entry calls locks, the engine exactly when it takes engine steps, and never the memory store', async () => {
    const { held } = await bundleOf(name);
    expect(lockSide.filter((file) => held.includes(file))).toEqual(callsLocks(needsOf(name)) ? lockSide : []);
    expect(engineSide.filter((file) => held.includes(file))).toEqual(needsOf(name).followUps ? engineSide : []);
    expect(held).not.toContain('lib/adapters/memory-stores.ts');
  });
});

test('CDK bundles a function byte for byte as measured here', async () => {
  const name = 'access-codes-get';
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-cdk-bundle-')) });
  const stack = new Stack(app, 'BundleCheck');
  new LatchkeyFunction(stack, 'Function', {
    name,
    config: parseConfig({}),
    table: Table.fromTableName(stack, 'Table', 'latchkey'),
    bus: EventBus.fromEventBusName(stack, 'Bus', 'latchkey'),
    needs: { table: 'read', lifecycle: false },
  });
  const assembly = app.synth();
  const assets = fs.readdirSync(assembly.directory).filter((entry) => entry.startsWith('asset.'));
  expect(assets).toHaveLength(1);
  const deployed = fs.readFileSync(path.join(assembly.directory, String(assets[0]), 'index.mjs'));
  expect(deployed.byteLength).toBe((await bundleOf(name)).bytes);
});

test('the measured options are the ones the CDK construct bundles with', () => {
  const options = esbuildOptionsFor(functionBundling, 'entry.ts', 'out/index.mjs');
  expect(options).toMatchObject({
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    minify: true,
    sourcemap: true,
    mainFields: ['module', 'main'],
    external: [...runtimeProvidedModules, ...providerClientModules],
    banner: { js: functionBundling.banner },
  });
});
