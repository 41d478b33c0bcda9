import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import * as z from 'zod';
import { type Check, type Section, as } from './report';
import { pricedTransaction } from './transaction-units';
import { childEnv, emit, runChild } from './support';

/** Commands that accept ReturnConsumedCapacity. */
const dataCommands = new Set([
  'GetItemCommand',
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'QueryCommand',
  'ScanCommand',
  'BatchGetItemCommand',
  'BatchWriteItemCommand',
  'TransactGetItemsCommand',
  'TransactWriteItemsCommand',
]);

const unitsSchema = z.object({ CapacityUnits: z.number().optional() });
const capacitySchema = unitsSchema.extend({ GlobalSecondaryIndexes: z.record(z.string(), unitsSchema).optional() });
const outputSchema = z.object({ ConsumedCapacity: z.union([capacitySchema, z.array(capacitySchema)]).optional() });

/** The capacity a response reports, one entry per table. */
const consumedOf = (output: unknown) => {
  const parsed = outputSchema.safeParse(output);
  const consumed = parsed.success ? parsed.data.ConsumedCapacity : undefined;
  return consumed === undefined ? [] : Array.isArray(consumed) ? consumed : [consumed];
};

export interface RequestCounter {
  commands: Map<string, number>;
  capacityUnits: number;
  /** The same capacity by command, to price reads and writes apart. */
  capacityByCommand: Map<string, number>;
  /** The part of it each global secondary index took, by `<index name> <command>` (with `byIndex`). */
  capacityByIndex: Map<string, number>;
  /** What DynamoDB Local itself reported for the transactions priced from their items (with `priceTransactions`). */
  transactionUnitsReported: number;
  reset(): void;
}

/**
 * Counts the client's requests by command and sums the capacity DynamoDB reports for them:
 * a middleware asks every data command for ReturnConsumedCapacity TOTAL (INDEXES with `byIndex`:
 * the total and each index's share) and reads it back.
 */
export function countRequests(client: DynamoDBClient, options: { byIndex?: boolean; priceTransactions?: DynamoDBClient } = {}): RequestCounter {
  const counter: RequestCounter = {
    commands: new Map(),
    capacityUnits: 0,
    capacityByCommand: new Map(),
    capacityByIndex: new Map(),
    transactionUnitsReported: 0,
    reset() {
      counter.commands.clear();
      counter.capacityUnits = 0;
      counter.capacityByCommand.clear();
      counter.capacityByIndex.clear();
      counter.transactionUnitsReported = 0;
    },
  };
  const add = (name: string, units: number, byIndex: Record<string, number>) => {
    counter.capacityUnits += units;
    counter.capacityByCommand.set(name, (counter.capacityByCommand.get(name) ?? 0) + units);
    for (const [index, indexUnits] of Object.entries(byIndex)) {
      const key = `${index} ${name}`;
      counter.capacityByIndex.set(key, (counter.capacityByIndex.get(key) ?? 0) + indexUnits);
    }
  };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName ?? 'unknown';
      counter.commands.set(name, (counter.commands.get(name) ?? 0) + 1);
      if (dataCommands.has(name) && typeof args.input === 'object' && args.input !== null) {
        Object.assign(args.input, { ReturnConsumedCapacity: options.byIndex ? 'INDEXES' : 'TOTAL' });
      }
      const look = options.priceTransactions;
      const input = args.input as { TransactItems?: Parameters<typeof pricedTransaction>[1] };
      if (look !== undefined && name === 'TransactWriteItemsCommand' && input.TransactItems !== undefined) {
        const { result, units } = await pricedTransaction(look, input.TransactItems, () => next(args));
        for (const c of consumedOf(result.output)) counter.transactionUnitsReported += c.CapacityUnits ?? 0;
        const indexes = Object.fromEntries(units.indexes);
        add(name, units.table + Object.values(indexes).reduce((a, b) => a + b, 0), options.byIndex ? indexes : {});
        return result;
      }
      const result = await next(args);
      for (const c of consumedOf(result.output)) {
        add(name, c.CapacityUnits ?? 0, Object.fromEntries(Object.entries(c.GlobalSecondaryIndexes ?? {}).map(([index, u]) => [index, u.CapacityUnits ?? 0])));
      }
      return result;
    },
    { step: 'initialize', name: 'benchRequestCounter' },
  );
  return counter;
}

const routeCostSchema = z.object({
  route: z.string(),
  status: z.number(),
  commands: z.record(z.string(), z.number()),
  capacityUnits: z.number(),
});
export const dynamoDbCostSchema = z.object({ codesOnDevice: z.number(), routes: z.array(routeCostSchema) });
type RouteCost = z.infer<typeof routeCostSchema>;
type DynamoDbCost = z.infer<typeof dynamoDbCostSchema>;

/**
 * Child side: the real handlers on the DynamoDB stores with a counting client, one request
 * per route after the API key is cached (a cold key costs one GetItem more, once a minute).
 */
export async function runDynamoDbCost(endpoint: string, tableName: string): Promise<void> {
  // Loaded in the child only: the parent imports this module to tabulate, and never builds the application.
  const [{ buildDeps }, { loadConfig }, { createDynamoDbStores }, { ensureTable, localDynamoDbClient }, { createWorkspace }, { invoke }, { createAccessCode }, { workspacePrincipal }] =
    await Promise.all([
      import('../../lib/wiring/whole-app'),
      import('../../lib/config'),
      import('../../lib/adapters/dynamodb-stores'),
      import('../../lib/adapters/dynamodb-table-setup'),
      import('../../lib/workspaces/workspaces'),
      import('../support/memory-app'),
      import('../../lib/access-codes/create-access-code'),
      import('../../lib/principals/principal'),
    ]);
  const handlers = {
    get: (await import('../../functions/access-codes-get')).makeHandler,
    create: (await import('../../functions/access-codes-create')).makeHandler,
    generate: (await import('../../functions/access-codes-generate-code')).makeHandler,
    list: (await import('../../functions/access-codes-list')).makeHandler,
    update: (await import('../../functions/access-codes-update')).makeHandler,
    delete: (await import('../../functions/access-codes-delete')).makeHandler,
  };

  const client = localDynamoDbClient(endpoint);
  await ensureTable(client, tableName);
  const counter = countRequests(client);
  const config = loadConfig({ LATCHKEY_STORE: 'dynamodb', LATCHKEY_DYNAMODB_ENDPOINT: endpoint, LATCHKEY_TABLE_NAME: tableName, LOG_LEVEL: 'SILENT' });
  const deps = buildDeps(config, createDynamoDbStores({ client, tableName }));

  const { workspace, api_key: apiKey } = await createWorkspace(deps, { name: 'Bench', sandbox: true, sandboxFailureRate: 0 });
  const devices = await deps.devices.list(workspace.workspace_id, { limit: 100 });
  const device = devices.find((d) => d.device.device_type === 'kwikset_lock')?.device;
  if (device === undefined) throw new Error('no kwikset sandbox lock');
  // A lock with some codes on it already, as a lock in use has.
  const codesOnDevice = 10;
  for (let i = 0; i < codesOnDevice; i++) await createAccessCode(deps, workspacePrincipal(workspace.workspace_id), { device_id: device.device_id, name: `Guest ${i}` });
  const { access_code: code } = await createAccessCode(deps, workspacePrincipal(workspace.workspace_id), { device_id: device.device_id, code: '2468', name: 'Bench' });
  await deps.authenticate({ authorization: `Bearer ${apiKey}` });

  const routes: RouteCost[] = [];
  const measure = async (route: string, handler: ReturnType<typeof handlers.get>, path: string, body: object) => {
    counter.reset();
    const { status } = await invoke(handler, { method: 'POST', path, body, apiKey });
    routes.push({ route, status: status ?? 0, commands: Object.fromEntries(counter.commands), capacityUnits: counter.capacityUnits });
  };
  const id = code.access_code_id;
  const deviceId = device.device_id;
  await measure('get', handlers.get(deps), '/access_codes/get', { access_code_id: id });
  await measure('get by device and PIN', handlers.get(deps), '/access_codes/get', { device_id: deviceId, code: '2468' });
  await measure('create, PIN chosen', handlers.create(deps), '/access_codes/create', { device_id: deviceId, code: '13579' });
  await measure('create, PIN generated', handlers.create(deps), '/access_codes/create', { device_id: deviceId });
  await measure('generate_code', handlers.generate(deps), '/access_codes/generate_code', { device_id: deviceId });
  await measure('list (workspace)', handlers.list(deps), '/access_codes/list', {});
  await measure('list (device)', handlers.list(deps), '/access_codes/list', { device_id: deviceId });
  await measure('update, name', handlers.update(deps), '/access_codes/update', { access_code_id: id, name: 'Renamed' });
  await measure('update, PIN', handlers.update(deps), '/access_codes/update', { access_code_id: id, code: '97531' });
  await measure('delete', handlers.delete(deps), '/access_codes/delete', { access_code_id: id });
  const result: DynamoDbCost = { codesOnDevice: codesOnDevice + 1, routes };
  emit(result);
  client.destroy();
}

/** `2 GetItem + 1 Query`: the requests by command. */
export const describe = (commands: Record<string, number>) =>
  Object.entries(commands)
    .map(([name, n]) => `${n} ${name.replace(/Command$/, '')}`)
    .join(' + ') || 'none';

export const count = (commands: Record<string, number>, name: string) => commands[`${name}Command`] ?? 0;
export const total = (commands: Record<string, number>) => Object.values(commands).reduce((a, b) => a + b, 0);

/** The targets: what each route may cost at most (any scan misses). */
const targets: Record<string, { wanted: string; ok: (c: Record<string, number>) => boolean }> = {
  get: { wanted: '1 GetItem', ok: (c) => total(c) === 1 && count(c, 'GetItem') === 1 },
  'create, PIN chosen': {
    wanted: '1 TransactWriteItems + 1 GetItem (device)',
    ok: (c) => total(c) === 2 && count(c, 'TransactWriteItems') === 1 && count(c, 'GetItem') === 1,
  },
  'create, PIN generated': {
    wanted: "as chosen + 1 GetItem (the drawn PIN's claim)",
    ok: (c) => count(c, 'TransactWriteItems') === 1 && count(c, 'GetItem') === 2 && total(c) === 3,
  },
  generate_code: { wanted: "2 GetItem (device, the drawn PIN's claim)", ok: (c) => count(c, 'GetItem') === 2 && total(c) === 2 },
};

/** Measure 4 (parent side): runs the child against DynamoDB Local and tabulates it. */
export async function measureDynamoDbCost(endpoint: string): Promise<Section> {
  const cost = await runChild('child.ts', ['dynamodb-cost', endpoint, 'bench-cost'], dynamoDbCostSchema, childEnv({ LATCHKEY_STORE: 'memory' }));
  const rows = cost.routes.map((r) => ({ route: r.route, status: r.status, requests: total(r.commands), by_command: describe(r.commands), capacity_units: r.capacityUnits }));
  const checks: Check[] = [
    ...cost.routes.flatMap((r) => {
      const target = targets[r.route];
      return target ? [{ name: `${r.route}: requests`, value: describe(r.commands), target: target.wanted, ok: target.ok(r.commands) && r.status === 200 }] : [];
    }),
    ...cost.routes.filter((r) => r.status !== 200).map((r) => ({ name: `${r.route}: answer`, value: String(r.status), target: '200', ok: false })),
    {
      name: 'scans, all routes',
      value: String(cost.routes.reduce((n, r) => n + count(r.commands, 'Scan'), 0)),
      target: '0',
      ok: cost.routes.every((r) => count(r.commands, 'Scan') === 0),
    },
  ];
  return {
    id: 'dynamodb-cost',
    title: '4. DynamoDB requests and consumed capacity per call',
    notes: [
      'The real handlers on the DynamoDB stores (buildDeps with a counting DynamoDBClient), on DynamoDB Local; one call each,',
      `API key already cached; a lock holding ${cost.codesOnDevice} codes. Capacity: the sum DynamoDB Local reports with`,
      'ReturnConsumedCapacity TOTAL (RCU + WCU; transactional writes count double). The code is updated, then deleted.',
    ],
    columns: [
      { key: 'route', label: 'route' },
      { key: 'status', label: 'status' },
      { key: 'requests', label: 'requests' },
      { key: 'by_command', label: 'by command' },
      { key: 'capacity_units', label: 'capacity units', format: as.oneDecimal },
    ],
    rows,
    checks,
  };
}
