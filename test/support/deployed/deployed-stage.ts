import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { _Record } from '@aws-sdk/client-dynamodb-streams';
import { z } from 'zod';
import { toApiGatewayEvent } from '../../../lib/local/server';
import { startStreamRelay } from '../../../lib/local/stream-relay';
import { type AwsTwin, type QueuedMessage, startAwsTwin } from './aws-twin';
import { type CloudAssembly, type Resource, resourcesOf } from './cloud-assembly';
import { matchesPattern } from './event-patterns';
import { type FunctionProcess, functionProcess } from './lambda-runner';
import { accountId, region } from './role-grants';

/** One function of the template, as the test runs it. */
export interface DeployedFunction {
  readonly id: string;
  /** LATCHKEY_FUNCTION: its entry in the routes or trigger table. */
  readonly name: string;
  /** Logical id of its role. */
  readonly roleId: string;
  readonly environment: Record<string, string>;
  readonly process: FunctionProcess;
}

export interface DeployedStage {
  readonly apiUrl: string;
  readonly twin: AwsTwin;
  readonly functions: ReadonlyMap<string, DeployedFunction>;
  /** Asynchronous invocations that failed (rule targets, queue and stream batches), with the function's output. */
  readonly failures: string[];
  /** Fires every target of the scheduled rules whose logical id starts with `rulePrefix`, once, with its input. */
  tick(rulePrefix: string): Promise<void>;
  stop(): Promise<void>;
}

export const busName = 'latchkey-test-bus';

const getAtt = z.object({ 'Fn::GetAtt': z.tuple([z.string(), z.string()]) });
const ref = z.object({ Ref: z.string() });
const importValue = z.object({ 'Fn::ImportValue': z.string() });

/**
 * Everything of the template the test runs: each function with its template's environment,
 * references resolved to the test's endpoints (the table to DynamoDB Local's, queues to the
 * twin's URLs, the bus to `busName`), and every trigger the template wires to it.
 */
export async function startDeployedStage(assembly: CloudAssembly, table: { endpoint: string; client: DynamoDBClient; tableName: string }): Promise<DeployedStage> {
  const resources = assembly.stateless;
  const failures: string[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;
  const later = (ms: number, work: () => Promise<void>) => {
    if (stopped) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      void work();
    }, ms);
    timers.add(timer);
  };
  // Latchkey's functions: every function the routes and trigger tables make names its entry.
  // (CDK's own, such as the custom resource that looks up the IoT endpoint at deploy time, run only in CloudFormation.)
  const latchkeyFunction = z.object({ Environment: z.object({ Variables: z.object({ LATCHKEY_FUNCTION: z.string() }).loose() }) }).loose();
  const functionIds = resourcesOf(resources, 'AWS::Lambda::Function')
    .filter(([, resource]) => latchkeyFunction.safeParse(resource.Properties).success)
    .map(([id]) => id);
  const functionIn = (value: unknown): string | undefined => functionIds.find((id) => JSON.stringify(value).includes(`"${id}"`));
  const fns = new Map<string, DeployedFunction>();
  const fn = (id: string) => {
    const found = fns.get(id);
    if (found === undefined) throw new Error(`No function ${id}`);
    return found;
  };
  const runAsync = async (id: string, event: unknown, why: string): Promise<unknown> => {
    try {
      return await fn(id).process.invoke(event);
    } catch (error) {
      failures.push(`${fn(id).name} (${why}): ${error instanceof Error ? error.message : String(error)}\n${fn(id).process.output()}`);
      return undefined;
    }
  };

  // Queues: a consumer per event source mapping, dead letters per redrive policy.
  const consumers = new Map<string, string>();
  for (const [, mapping] of resourcesOf(resources, 'AWS::Lambda::EventSourceMapping')) {
    const source = getAtt.safeParse(mapping.Properties.EventSourceArn);
    const target = functionIn(mapping.Properties.FunctionName);
    if (source.success && target !== undefined) consumers.set(source.data['Fn::GetAtt'][0], target);
  }
  const redrive = z.object({ RedrivePolicy: z.object({ deadLetterTargetArn: getAtt, maxReceiveCount: z.number() }).optional() }).loose();
  const batchResponse = z.object({ batchItemFailures: z.array(z.object({ itemIdentifier: z.string() })) });
  const deliver = (queue: string, message: QueuedMessage) => async (): Promise<void> => {
    const consumer = consumers.get(queue);
    if (consumer === undefined) {
      twin.parked.set(queue, [...(twin.parked.get(queue) ?? []), message]);
      return;
    }
    message.receiveCount++;
    const record = {
      messageId: message.messageId,
      receiptHandle: randomUUID(),
      body: message.body,
      attributes: { ApproximateReceiveCount: String(message.receiveCount), SentTimestamp: String(Date.now()), SenderId: accountId, ApproximateFirstReceiveTimestamp: String(Date.now()) },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:${region}:${accountId}:${queue}`,
      awsRegion: region,
    };
    const answer = await runAsync(consumer, { Records: [record] }, `a message of ${queue}`);
    const parsed = batchResponse.safeParse(answer);
    if (parsed.success && parsed.data.batchItemFailures.length === 0) return;
    const policy = redrive.parse(resources[queue]?.Properties ?? {}).RedrivePolicy;
    // SQS hands the message out again after its visibility timeout (here at once), until the redrive policy moves it.
    if (policy !== undefined && message.receiveCount >= policy.maxReceiveCount) return deliver(policy.deadLetterTargetArn['Fn::GetAtt'][0], message)();
    later(100, deliver(queue, message));
  };

  const rules = resourcesOf(resources, 'AWS::Events::Rule');
  const targetsOf = (rule: Resource) => z.array(z.object({ Arn: z.unknown(), Input: z.string().optional() }).loose()).parse(rule.Properties.Targets ?? []);
  const twin = await startAwsTwin(table.endpoint, {
    onMessage: (queue, message, delaySeconds) => later(delaySeconds * 1000, deliver(queue, message)),
    onEvents(entries) {
      for (const entry of entries) {
        const envelope = {
          version: '0',
          id: randomUUID(),
          'detail-type': entry.DetailType,
          source: entry.Source,
          account: accountId,
          time: new Date().toISOString(),
          region,
          resources: [],
          detail: JSON.parse(entry.Detail),
        };
        for (const [ruleId, rule] of rules) {
          if (rule.Properties.EventPattern === undefined || !matchesPattern(rule.Properties.EventPattern, envelope)) continue;
          for (const target of targetsOf(rule)) {
            const id = functionIn(target.Arn);
            if (id !== undefined) later(0, async () => void (await runAsync(id, envelope, ruleId)));
          }
        }
      }
    },
  });

  try {
    return await wire();
  } catch (error) {
    await twin.stop();
    throw error;
  }

  async function wire(): Promise<DeployedStage> {
    const resolve = (key: string, value: unknown): string => {
      if (typeof value === 'string') return value;
      const joined = z.object({ 'Fn::Join': z.tuple([z.string(), z.array(z.unknown())]) }).safeParse(value);
      if (joined.success) return joined.data['Fn::Join'][1].map((part) => resolve(key, part)).join(joined.data['Fn::Join'][0]);
      // What a custom resource answers at deploy time (the account's IoT data endpoint): a host the sandbox flow never calls.
      const answered = getAtt.safeParse(value);
      if (answered.success && resources[answered.data['Fn::GetAtt'][0]]?.Type.startsWith('Custom::')) return `${answered.data['Fn::GetAtt'].join('-').toLowerCase()}.invalid`;
      const imported = importValue.safeParse(value);
      const named = imported.success ? ref.safeParse(assembly.exports[imported.data['Fn::ImportValue']]) : ref.safeParse(value);
      const target = named.success ? (imported.success ? assembly.stateful : resources)[named.data.Ref] : undefined;
      if (named.success && target?.Type === 'AWS::DynamoDB::Table') return table.tableName;
      if (named.success && target?.Type === 'AWS::Events::EventBus') return busName;
      if (named.success && target?.Type === 'AWS::SQS::Queue') return `${twin.endpoint}/${accountId}/${named.data.Ref}`;
      throw new Error(`The test cannot resolve ${key}: ${JSON.stringify(value)}`);
    };
    const functionSchema = z.object({ Role: getAtt, Timeout: z.number().default(3), Environment: z.object({ Variables: z.record(z.string(), z.unknown()) }) });
    for (const id of functionIds) {
      const props = functionSchema.parse(resources[id]?.Properties);
      const environment = Object.fromEntries(Object.entries(props.Environment.Variables).map(([key, value]) => [key, resolve(key, value)]));
      const name = environment.LATCHKEY_FUNCTION ?? id;
      const lambdaVariables = {
        AWS_LAMBDA_FUNCTION_NAME: `latchkey-test-${name}`,
        AWS_REGION: region,
        AWS_DEFAULT_REGION: region,
        // Each function signs with its own key id, so that the twin knows who called.
        AWS_ACCESS_KEY_ID: id,
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_ENDPOINT_URL: twin.endpoint,
        LATCHKEY_TEST_TIMEOUT_MS: String(props.Timeout * 1000),
      };
      fns.set(id, { id, name, roleId: props.Role['Fn::GetAtt'][0], environment, process: functionProcess(assembly.assetOf(id), { ...environment, ...lambdaVariables }) });
    }

    // The table's stream, read as Lambda's event source mapping does, with its filters.
    const relays: { stop(): Promise<void> }[] = [];
    for (const [, mapping] of resourcesOf(resources, 'AWS::Lambda::EventSourceMapping')) {
      if (getAtt.safeParse(mapping.Properties.EventSourceArn).success) continue;
      const target = functionIn(mapping.Properties.FunctionName);
      if (target === undefined) throw new Error('A stream mapping without a function');
      const filters = z
        .object({ Filters: z.array(z.object({ Pattern: z.string() })) })
        .parse(mapping.Properties.FilterCriteria)
        .Filters.map((f) => JSON.parse(f.Pattern));
      const asLambdaRecord = (r: _Record) => ({
        ...r,
        eventSource: 'aws:dynamodb',
        eventSourceARN: `arn:aws:dynamodb:${region}:${accountId}:table/${table.tableName}/stream/test`,
        dynamodb: { ...r.dynamodb, ApproximateCreationDateTime: Math.floor((r.dynamodb?.ApproximateCreationDateTime ?? new Date()).getTime() / 1000) },
      });
      const relay = startStreamRelay({
        endpoint: table.endpoint,
        client: table.client,
        tableName: table.tableName,
        intervalMs: 100,
        onError: (error) => failures.push(`stream relay: ${String(error)}`),
        async handle(records) {
          const wanted = records.map(asLambdaRecord).filter((r) => filters.some((f) => matchesPattern(f, r)));
          if (wanted.length === 0) return { published: 0 };
          const answer = batchResponse.safeParse(await runAsync(target, { Records: wanted }, 'the table stream'));
          const failed = answer.success ? answer.data.batchItemFailures[0]?.itemIdentifier : wanted[0]?.dynamodb.SequenceNumber;
          return { ...(failed !== undefined && { failedSequenceNumber: failed }), published: wanted.length };
        },
      });
      relays.push(relay);
    }

    // The HTTP API: each route to its integration's function, anything else to $default.
    const integrations = new Map(resourcesOf(resources, 'AWS::ApiGatewayV2::Integration').map(([id, integration]) => [id, functionIn(integration.Properties.IntegrationUri)]));
    const routes = resourcesOf(resources, 'AWS::ApiGatewayV2::Route').map(([, route]) => {
      const routeKey = z.string().parse(route.Properties.RouteKey);
      const integration = [...integrations.keys()].find((id) => JSON.stringify(route.Properties.Target).includes(`"${id}"`));
      const fnId = integration === undefined ? undefined : integrations.get(integration);
      const pattern = routeKey === '$default' ? /.*/ : new RegExp(`^${routeKey.replace(/^ANY /, '').replace(/\{[a-z_]+\}/g, '[^/]+')}$`);
      return { routeKey, pattern, fnId };
    });
    routes.sort((a, b) => Number(a.routeKey === '$default') - Number(b.routeKey === '$default'));
    const readAll = (req: IncomingMessage) =>
      new Promise<Buffer>((done) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c)).on('end', () => done(Buffer.concat(chunks)));
      });
    const responseSchema = z.object({
      statusCode: z.number(),
      headers: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
      body: z.string().optional(),
      isBase64Encoded: z.boolean().optional(),
    });
    const api: Server = createServer(async (req, res) => {
      const body = await readAll(req);
      const path = new URL(req.url ?? '/', 'http://api').pathname;
      const route = routes.find((r) => r.pattern.test(path));
      if (route?.fnId === undefined) return void res.writeHead(404).end();
      try {
        const answer = responseSchema.parse(await fn(route.fnId).process.invoke(toApiGatewayEvent(req, body, route.routeKey)));
        res.writeHead(answer.statusCode, Object.fromEntries(Object.entries(answer.headers ?? {}).map(([k, v]) => [k, String(v)])));
        res.end(answer.body === undefined ? undefined : Buffer.from(answer.body, answer.isBase64Encoded ? 'base64' : 'utf8'));
      } catch (error) {
        failures.push(`${route.routeKey}: ${String(error)}`);
        res.writeHead(502, { 'content-type': 'application/json' }).end('{"message":"Internal Server Error"}');
      }
    });
    await new Promise<void>((done) => api.listen(0, '127.0.0.1', done));

    return {
      apiUrl: `http://127.0.0.1:${(api.address() as AddressInfo).port}`,
      twin,
      functions: new Map([...fns.values()].map((f) => [f.name, f])),
      failures,
      async tick(rulePrefix) {
        for (const [ruleId, rule] of rules) {
          if (rule.Properties.ScheduleExpression === undefined || !ruleId.startsWith(rulePrefix)) continue;
          for (const target of targetsOf(rule)) {
            const id = functionIn(target.Arn);
            if (id !== undefined) await runAsync(id, target.Input === undefined ? {} : JSON.parse(target.Input), ruleId);
          }
        }
      },
      async stop() {
        stopped = true;
        for (const timer of timers) clearTimeout(timer);
        await Promise.all(relays.map((r) => r.stop()));
        api.closeAllConnections();
        await new Promise<void>((done) => api.close(() => done()));
        await Promise.all([...fns.values()].map((f) => f.process.stop()));
        await twin.stop();
      },
    };
  }
}
