import { NestedStack, type Stack } from 'aws-cdk-lib';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { type Json, latchkeyApp, substitute } from '../../infra/latchkey-app';

const resourceSchema = z.object({ Type: z.string(), Properties: z.record(z.string(), z.unknown()).default({}) }).loose();
export type Resource = z.infer<typeof resourceSchema>;
const templateSchema = z.object({
  Resources: z.record(z.string(), z.unknown()),
  Outputs: z.record(z.string(), z.object({ Value: z.unknown(), Export: z.object({ Name: z.string() }).optional() })).optional(),
});

/** What `cdk synth` wrote for one stage: its templates, as files, and the bundles beside them. */
export interface CloudAssembly {
  readonly outdir: string;
  /** Every resource of the stateless stack, its nested stacks' merged in with their parameters resolved. */
  readonly stateless: Record<string, Resource>;
  /** The stateful stack's exports, by export name. */
  readonly exports: Record<string, unknown>;
  /** The stateful stack's resources. */
  readonly stateful: Record<string, Resource>;
  /** The directory of a function's code asset: where `index.mjs` (and any node_modules) is. */
  assetOf(functionId: string): string;
}

const readJson = (file: string) => templateSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
const parseResources = (resources: Record<string, unknown>) => Object.fromEntries(Object.entries(resources).map(([id, r]) => [id, resourceSchema.parse(r)]));

/** `stack`'s template as written to `outdir`, nested stacks' resources merged in (as test/infra/latchkey-app.ts `flattened` does in memory). */
function flattenedFromFiles(outdir: string, stack: Stack): Record<string, Resource> {
  const parent = readJson(path.join(outdir, stack.templateFile));
  const resources: Record<string, unknown> = { ...parent.Resources };
  const nestedStacks = stack.node.findAll().filter((c): c is NestedStack => c instanceof NestedStack && c.nestedStackParent === stack);
  for (const nested of nestedStacks) {
    if (nested.nestedStackResource === undefined) throw new Error(`${nested.node.path} has no resource`);
    const parameters = z.object({ Properties: z.object({ Parameters: z.record(z.string(), z.unknown()).default({}) }).loose() }).parse(parent.Resources[stack.getLogicalId(nested.nestedStackResource)])
      .Properties.Parameters;
    for (const [id, resource] of Object.entries(readJson(path.join(outdir, nested.templateFile)).Resources)) {
      if (id in resources) throw new Error(`Logical id ${id} is in two templates`);
      resources[id] = substitute(resource as Json, parameters as Record<string, Json>);
    }
  }
  return parseResources(resources);
}

/**
 * Synthesizes one stage with bundling, as `cdk synth` does, into `outdir` (every function's
 * bundle is built: minutes), and reads back what it wrote.
 */
export function synthesizeWithBundles(outdir: string, context: Record<string, unknown> = {}): CloudAssembly {
  fs.rmSync(outdir, { recursive: true, force: true });
  const { app, latchkey } = latchkeyApp(context, outdir);
  app.synth();
  const stateful = readJson(path.join(outdir, latchkey.stateful.templateFile));
  const stateless = flattenedFromFiles(outdir, latchkey.stateless);
  const exports = Object.fromEntries(Object.values(stateful.Outputs ?? {}).flatMap((o) => (o.Export ? [[o.Export.Name, o.Value]] : [])));
  const codeSchema = z.object({ Code: z.object({ S3Key: z.string().regex(/^[0-9a-f]{64}\.zip$/) }) });
  return {
    outdir,
    stateless,
    exports,
    stateful: parseResources(stateful.Resources),
    assetOf(functionId) {
      const fn = stateless[functionId];
      if (fn?.Type !== 'AWS::Lambda::Function') throw new Error(`${functionId} is not a function`);
      const dir = path.join(outdir, `asset.${codeSchema.parse(fn.Properties).Code.S3Key.replace(/\.zip$/, '')}`);
      if (!fs.existsSync(path.join(dir, 'index.mjs'))) throw new Error(`No bundle for ${functionId} in ${dir}`);
      return dir;
    },
  };
}

/** The resources of `type`, by logical id. */
export const resourcesOf = (resources: Record<string, Resource>, type: string): [string, Resource][] => Object.entries(resources).filter(([, r]) => r.Type === type);
