import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import * as z from 'zod';

/*
 * Each rule of .dependency-cruiser.cjs can fail: the tiny tree under fixtures/ breaks every rule once
 * or more (type-only imports among them) and also makes the imports the house allows. The checker
 * must name exactly the broken ones. `npm run boundaries` runs the same checker on the real tree.
 */

const violationsSchema = z.array(z.object({ rule: z.string(), from: z.string(), to: z.string(), cycle: z.array(z.string()).optional() }));

async function fixtureViolations(): Promise<string[]> {
  const repository = resolve(__dirname, '../..');
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'test/architecture/check-boundaries.mts', '--root', 'test/architecture/fixtures', '--json'], {
    cwd: repository,
    timeout: 90_000,
  });
  // An npm package resolves to node_modules above the fixture tree.
  const npm = (path: string) => path.replace(/^(\.\.\/)*node_modules\/([^/]+)\/.*$/, '$2');
  return violationsSchema
    .parse(JSON.parse(stdout))
    .map((violation) => `${violation.rule}: ${violation.from} -> ${npm(violation.to)}`)
    .sort();
}

it('names every import the house forbids in the fixture tree, and none it allows', async () => {
  expect(await fixtureViolations()).toEqual(
    [
      'domain-no-adapters: lib/engine/decide.ts -> lib/adapters/table.ts',
      'domain-no-http: lib/webhooks/deliver.ts -> lib/http/route.ts',
      'no-cdk-at-run-time: functions/handler.ts -> aws-cdk-lib',
      'no-cdk-at-run-time: lib/principals/who.ts -> constructs',
      'no-cdk-at-run-time: lib/workspaces/get.ts -> infra/stack.ts',
      'devices-no-codes-engine-providers: lib/devices/model.ts -> lib/access-codes/schemas.ts',
      'devices-no-codes-engine-providers: lib/devices/model.ts -> lib/engine/decide.ts',
      'devices-no-codes-engine-providers: lib/devices/model.ts -> lib/providers/seam/index.ts',
      'providers-no-codes-engine: lib/providers/zwave/index.ts -> lib/access-codes/schemas.ts',
      'providers-no-codes-engine: lib/providers/zwave/index.ts -> lib/engine/decide.ts',
      'providers-not-each-other: lib/providers/zwave/index.ts -> lib/providers/seam/index.ts',
      'accounts-no-engine-providers: lib/connected-accounts/sync.ts -> lib/engine/decide.ts',
      'accounts-no-engine-providers: lib/connected-accounts/sync.ts -> lib/providers/sandbox/index.ts',
      'codes-no-engine-providers: lib/access-codes/create.ts -> lib/engine/decide.ts',
      'codes-no-engine-providers: lib/access-codes/create.ts -> lib/providers/seam/index.ts',
      'engine-no-providers: lib/engine/reconcile.ts -> lib/providers/seam/index.ts',
      'edge-only-hub-contract: edge/agent.ts -> lib/devices/port.ts',
      'hub-contract-self-contained: lib/hub-contract/shadow.ts -> lib/ports.ts',
      'handlers-no-local-or-edge: functions/handler.ts -> edge/agent.ts',
      'handlers-no-local-or-edge: functions/handler.ts -> lib/local/start.ts',
      'adapters-no-handlers: lib/adapters/router.ts -> functions/other.ts',
      'wiring-no-local: lib/deps.ts -> lib/local/start.ts',
      'wiring-no-local: lib/triggers.ts -> lib/cli/main.ts',
      'no-circular: lib/events/first.ts -> lib/events/second.ts',
      'not-to-unresolvable: lib/workspaces/get.ts -> ./missing',
    ].sort(),
  );
}, 120_000);
