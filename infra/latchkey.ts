import { type App, Tags } from 'aws-cdk-lib';
import { configFromContext, type LatchkeyConfig } from './config';
import { StatefulStack } from './stacks/stateful-stack';
import { StatelessStack } from './stacks/stateless-stack';

export interface Latchkey {
  readonly config: LatchkeyConfig;
  readonly stateful: StatefulStack;
  readonly stateless: StatelessStack;
}

/** Adds one stage of Latchkey to an app, configured from the app's context. */
export function addLatchkey(app: App): Latchkey {
  const config = configFromContext(app.node);
  // Pinned when the context names them; otherwise the stacks deploy wherever the credentials point.
  const env = config.account !== undefined || config.region !== undefined ? { account: config.account, region: config.region } : undefined;
  const stateful = new StatefulStack(app, `latchkey-${config.stage}-stateful`, {
    config,
    env,
    description: `Latchkey ${config.stage}: table and event bus`,
  });
  const stateless = new StatelessStack(app, `latchkey-${config.stage}-stateless`, {
    config,
    env,
    table: stateful.table,
    bus: stateful.bus,
    description: `Latchkey ${config.stage}: functions, HTTP API and rules`,
  });
  Tags.of(app).add('latchkey:stage', config.stage);
  return { config, stateful, stateless };
}
