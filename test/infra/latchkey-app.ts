import { App, NestedStack, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { addLatchkey, type Latchkey } from '../../infra/latchkey';

const cdkJsonSchema = z.object({ context: z.record(z.string(), z.unknown()) });
const cdkJson = cdkJsonSchema.parse(JSON.parse(fs.readFileSync(path.join(__dirname, '../../cdk.json'), 'utf8')));

/** The app `cdk synth` builds (with cdk.json's feature flags), plus `context`; without bundling unless `bundleInto` names the cloud assembly's directory. */
export function latchkeyApp(context: Record<string, unknown> = {}, bundleInto?: string): { app: App; latchkey: Latchkey } {
  const bundling = bundleInto === undefined ? { 'aws:cdk:bundling-stacks': [] } : {};
  const app = new App({ ...(bundleInto !== undefined && { outdir: bundleInto }), context: { ...cdkJson.context, ...bundling, ...context } });
  return { app, latchkey: addLatchkey(app) };
}

/** Both stacks' templates. Synthesizing takes seconds: call once per test file. */
export function synthLatchkey(context: Record<string, unknown> = {}) {
  const { latchkey } = latchkeyApp(context);
  return {
    latchkey,
    stateful: Template.fromStack(latchkey.stateful),
    /** The stateless stack with its nested stacks' resources in it, as if it were one template (see `flattened`). */
    stateless: flattened(latchkey.stateless),
  };
}

/** A stack's nested stacks, each with its template. */
export function nestedStacksOf(stack: Stack): { nested: NestedStack; template: Template }[] {
  return stack.node
    .findAll()
    .filter((c): c is NestedStack => c instanceof NestedStack && c.nestedStackParent === stack)
    .map((nested) => ({ nested, template: Template.fromStack(nested) }));
}

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** `value` with every `{ Ref: name }` of `substitutions` replaced by its value. */
export function substitute(value: Json, substitutions: Record<string, Json>): Json {
  if (Array.isArray(value)) return value.map((v) => substitute(v, substitutions));
  if (value === null || typeof value !== 'object') return value;
  const ref = value.Ref;
  if (Object.keys(value).length === 1 && typeof ref === 'string' && ref in substitutions) return substitutions[ref] ?? null;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, substitutions)]));
}

const nestedStackResourceSchema = z.object({ Properties: z.object({ Parameters: z.record(z.string(), z.unknown()).optional() }).loose() });

/**
 * A stack's template with its nested stacks' resources merged in, each nested parameter
 * replaced by what the parent passes: what the stack deploys, as if it were one template, so
 * that assertions about a function need not know which nested stack holds it. (Logical ids of
 * one stack's nested stacks do not collide: each is its construct path.)
 */
export function flattened(stack: Stack): Template {
  const parent = Template.fromStack(stack).toJSON() as { Resources: Record<string, Json> } & Record<string, Json>;
  const resources: Record<string, Json> = { ...parent.Resources };
  for (const { nested, template } of nestedStacksOf(stack)) {
    const nestedResource = nested.nestedStackResource;
    if (nestedResource === undefined) throw new Error(`${nested.node.path} has no resource`);
    const parameters = nestedStackResourceSchema.parse(parent.Resources[stack.getLogicalId(nestedResource)]).Properties.Parameters ?? {};
    const json = template.toJSON() as { Resources: Record<string, Json> };
    for (const [id, resource] of Object.entries(json.Resources)) {
      if (id in resources) throw new Error(`Logical id ${id} is in two templates`);
      resources[id] = substitute(resource, parameters as Record<string, Json>);
    }
  }
  return Template.fromJSON({ ...parent, Resources: resources }, { skipCyclicalDependenciesCheck: true });
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
