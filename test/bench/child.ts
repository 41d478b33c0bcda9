/**
 * The entry of the measures that run in a process of their own (fresh JIT, their own
 * environment for the handlers): `child.ts <measure> ...args`. Each emits one result line.
 */
import { runCodeLife } from './code-life';
import { runDynamoDbCost } from './dynamodb-cost';
import { runHandlerOverhead } from './handler-overhead';
import { runLockSweep } from './lock-sweep';
import { runPoller } from './poller';

const measures: Record<string, (args: string[]) => Promise<void>> = {
  'handler-overhead': ([rounds = '5', calls = '10000']) => runHandlerOverhead(Number(rounds), Number(calls)),
  'dynamodb-cost': ([endpoint = '', tableName = 'bench-cost']) => runDynamoDbCost(endpoint, tableName),
  poller: ([endpoint = '', ...rest]) => runPoller(endpoint, rest),
  'lock-sweep': ([endpoint = '', ...rest]) => runLockSweep(endpoint, rest),
  'code-life': ([endpoint = '', ...rest]) => runCodeLife(endpoint, rest),
};

const [name = '', ...args] = process.argv.slice(2);
const measure = measures[name];
if (measure === undefined) {
  console.error(`usage: child.ts ${Object.keys(measures).join('|')} ...`);
  process.exit(2);
}
measure(args)
  .then(() => process.exit(0))
  .catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
