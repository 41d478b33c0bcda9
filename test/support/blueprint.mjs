// Runs @seamapi/blueprint (an ES module) on the OpenAPI document read from stdin, as Seam's CLI
// does with --remote_schema; prints what it built, or the error it threw.
import { createBlueprint } from '@seamapi/blueprint';

let text = '';
for await (const chunk of process.stdin) text += chunk;
try {
  const blueprint = await createBlueprint({ openapi: JSON.parse(text) }, { omitUndocumented: true });
  const endpoints = blueprint.routes.flatMap((route) => route.endpoints.map((e) => ({ path: e.path, response: e.response.responseType, resource: e.response.resourceType ?? null })));
  process.stdout.write(JSON.stringify({ ok: true, endpoints, resources: blueprint.resources.map((r) => r.resourceType), actionAttempts: blueprint.actionAttempts.length }));
} catch (error) {
  process.stdout.write(JSON.stringify({ ok: false, error: error instanceof Error ? error.message : String(error) }));
}
