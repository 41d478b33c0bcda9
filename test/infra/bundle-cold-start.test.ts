import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { build } from 'esbuild';
import { z } from 'zod';
import { esbuildOptionsFor, functionBundling, providerFunctionBundling } from '../../infra/bundling';
import { functionEntry, projectRoot } from '../../infra/functions';
import { needsOf } from '../../lib/triggers';
import { synthLatchkey } from './latchkey-app';

const run = promisify(execFile);
const { latchkey, stateless } = synthLatchkey();
/** Inside the project, so that the SDK clients the Lambda runtime provides resolve from node_modules. */
const outDir = path.join(projectRoot, 'node_modules', '.cache', 'latchkey-cold-start');

const variablesSchema = z.object({ Environment: z.object({ Variables: z.record(z.string(), z.unknown()) }) });

/** A function's environment as its template gives it, CloudFormation references resolved to plausible values. */
function templateEnvironment(name: string): Record<string, string> {
  const cfn = latchkey.stateless.functions.get(name)?.lambda.node.defaultChild;
  if (!(cfn instanceof CfnFunction)) throw new Error(`No function ${name}`);
  const { Variables } = variablesSchema.parse(stateless.toJSON().Resources[latchkey.stateless.getLogicalId(cfn)].Properties).Environment;
  return Object.fromEntries(Object.entries(Variables).map(([key, value]) => [key, typeof value === 'string' ? value : `https://resolved.example/${key}`]));
}

/** Bundles a function as its NodejsFunction does (the bundle test checks the bytes are CDK's). */
async function bundle(name: string): Promise<string> {
  const outfile = path.join(outDir, name, 'index.mjs');
  const bundling = needsOf(name).credentials === undefined ? functionBundling : providerFunctionBundling;
  await build(esbuildOptionsFor(bundling, functionEntry(name), outfile));
  return outfile;
}

/** Imports a bundle in a fresh Node process with `environment` and Lambda's own variables: its cold start. */
async function coldStart(file: string, environment: Record<string, string>) {
  const script = "const m = await import(process.env.BUNDLE); if (typeof m.handler !== 'function') throw new Error('no handler');";
  const env = { PATH: process.env.PATH ?? '', ...environment, AWS_LAMBDA_FUNCTION_NAME: 'latchkey-dev-cold-start', AWS_REGION: 'eu-west-1', BUNDLE: pathToFileURL(file).href };
  try {
    await run(process.execPath, ['--input-type=module', '-e', script], { env, cwd: path.dirname(file) });
    return { ok: true, stderr: '' };
  } catch (error) {
    return { ok: false, stderr: z.object({ stderr: z.string() }).parse(error).stderr };
  }
}

const bundles = new Map<string, Promise<string>>();
const bundleOf = (name: string) => {
  const started = bundles.get(name) ?? bundle(name);
  bundles.set(name, started);
  return started;
};
const names = ['webhooks-seam', 'zwave-hub-events', 'run-follow-ups', 'publish-events'];
beforeAll(() => {
  fs.mkdirSync(outDir, { recursive: true });
  return Promise.all(names.map(bundleOf));
}, 120_000);

test.each(names)(
  'the bundle of %s starts with the environment its template gives it',
  async (name) => {
    expect(await coldStart(await bundleOf(name), templateEnvironment(name))).toEqual({ ok: true, stderr: '' });
  },
  60_000,
);

test('a bundle whose template lacks a capability it needs fails at cold start, naming the variable', async () => {
  const { LATCHKEY_FOLLOW_UP_QUEUE_URL: _, ...lacking } = templateEnvironment('webhooks-seam');
  const started = await coldStart(await bundleOf('webhooks-seam'), lacking);
  expect(started.ok).toBe(false);
  expect(started.stderr).toContain('webhooks-seam cannot start: LATCHKEY_FOLLOW_UP_QUEUE_URL is not set (it takes engine steps, which schedule follow-ups)');
}, 60_000);
