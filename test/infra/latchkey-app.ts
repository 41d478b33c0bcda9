import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { addLatchkey, type Latchkey } from '../../infra/latchkey';

const cdkJsonSchema = z.object({ context: z.record(z.string(), z.unknown()) });
const cdkJson = cdkJsonSchema.parse(JSON.parse(fs.readFileSync(path.join(__dirname, '../../cdk.json'), 'utf8')));

/** The app `cdk synth` builds (with cdk.json's feature flags), plus `context`, without bundling. */
export function latchkeyApp(context: Record<string, unknown> = {}): { app: App; latchkey: Latchkey } {
  const app = new App({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [], ...context } });
  return { app, latchkey: addLatchkey(app) };
}

/** Both stacks' templates. Synthesizing takes seconds: call once per test file. */
export function synthLatchkey(context: Record<string, unknown> = {}) {
  const { latchkey } = latchkeyApp(context);
  return {
    latchkey,
    stateful: Template.fromStack(latchkey.stateful),
    stateless: Template.fromStack(latchkey.stateless),
  };
}

/** The `Fn::ImportValue` by which the stateless stack reads an output of the stateful one. */
export function importOf(stateful: Template, value: unknown): { 'Fn::ImportValue': string } {
  const outputs = Object.values(stateful.toJSON().Outputs ?? {});
  const exported = z
    .array(z.object({ Value: z.unknown(), Export: z.object({ Name: z.string() }).optional() }))
    .parse(outputs)
    .find((output) => output.Export && JSON.stringify(output.Value) === JSON.stringify(value));
  if (!exported?.Export) throw new Error(`The stateful stack exports no ${JSON.stringify(value)}`);
  return { 'Fn::ImportValue': exported.Export.Name };
}

/** The logical id of the one resource of a type whose properties match, for references. */
export function logicalIdOf(template: Template, type: string, props: object): string {
  const ids = Object.keys(template.findResources(type, { Properties: props }));
  if (ids.length !== 1 || ids[0] === undefined) throw new Error(`${ids.length} ${type} match ${JSON.stringify(props)}`);
  return ids[0];
}
