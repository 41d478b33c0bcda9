import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';

/** One AWS API call a function made: who (its access key id), the IAM action, and what it named. */
export interface RecordedCall {
  caller: string;
  action: string;
  /** The table (and index), queue, bus or secret the call named. */
  resource: string;
}

/** A message on a twin queue. */
export interface QueuedMessage {
  messageId: string;
  body: string;
  receiveCount: number;
}

/** What happens to what functions send: SQS messages and EventBridge entries are handed to the caller. */
export interface TwinHandlers {
  /** A message sent to queue `queue` (the last segment of its URL), to run after `delaySeconds`. */
  onMessage(queue: string, message: QueuedMessage, delaySeconds: number): void;
  /** Entries put on a bus. */
  onEvents(entries: { EventBusName: string; Source: string; DetailType: string; Detail: string }[]): void;
  /** An asynchronous Lambda invocation (the operator CLI's replay): the function's name and the event. */
  onInvoke?(functionName: string, payload: string): void;
}

export interface AwsTwin {
  readonly endpoint: string;
  readonly calls: RecordedCall[];
  /** Secrets Manager's secrets, by name. */
  readonly secrets: Map<string, string>;
  /** Messages kept on queues without a consumer (dead letters), by queue: ReceiveMessage, DeleteMessage and ChangeMessageVisibility work on them. */
  readonly parked: Map<string, QueuedMessage[]>;
  stop(): Promise<void>;
}

const readBody = (req: IncomingMessage) =>
  new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    req
      .on('data', (c: Buffer) => chunks.push(c))
      .on('end', () => resolve(Buffer.concat(chunks)))
      .on('error', reject);
  });

/** The access key id a SigV4 request was signed with: the test gives each function its own. */
const callerOf = (req: IncomingMessage) => /Credential=([^/]+)\//.exec(req.headers.authorization ?? '')?.[1] ?? 'unsigned';

/**
 * DynamoDB Local keeps one database per access key and region (unless -sharedDb), and does
 * not check signatures: every function's request goes to the table the test created.
 */
const asTableOwner = (authorization = '') => authorization.replace(/Credential=[^/]+\/([^/]+)\/[^/]+\//, 'Credential=local/$1/local/');

const tableRequest = z.object({ TableName: z.string().optional(), IndexName: z.string().optional() }).loose();
const transactItems = z.object({ TransactItems: z.array(z.record(z.string(), z.object({ TableName: z.string() }).loose())) });
const batchItems = z.object({ RequestItems: z.record(z.string(), z.unknown()) });
/** The item action IAM checks for each kind of transaction member. */
const transactAction: Record<string, string> = { Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', ConditionCheck: 'ConditionCheckItem', Get: 'GetItem' };

/** The IAM actions and resources of one DynamoDB request, as IAM evaluates them. */
function dynamoDbCalls(operation: string, body: unknown): { action: string; resource: string }[] {
  if (operation === 'TransactWriteItems' || operation === 'TransactGetItems') {
    return transactItems
      .parse(body)
      .TransactItems.flatMap((item) => Object.entries(item).map(([kind, member]) => ({ action: `dynamodb:${transactAction[kind] ?? kind}`, resource: member.TableName })));
  }
  if (operation === 'BatchGetItem' || operation === 'BatchWriteItem') {
    return Object.keys(batchItems.parse(body).RequestItems).map((table) => ({ action: `dynamodb:${operation}`, resource: table }));
  }
  const { TableName, IndexName } = tableRequest.parse(body);
  return [{ action: `dynamodb:${operation}`, resource: IndexName ? `${TableName}/index/${IndexName}` : (TableName ?? '*') }];
}

const md5 = (text: string) => createHash('md5').update(text).digest('hex');
const sendMessage = z.object({ QueueUrl: z.string(), MessageBody: z.string(), DelaySeconds: z.number().optional() });
const putEvents = z.object({ Entries: z.array(z.object({ EventBusName: z.string(), Source: z.string(), DetailType: z.string(), Detail: z.string() }).loose()) });
const queueRequest = z.object({ QueueUrl: z.string(), MaxNumberOfMessages: z.number().optional(), ReceiptHandle: z.string().optional() }).loose();
const secretId = z.object({ SecretId: z.string() }).loose();

/**
 * The AWS endpoint the deployed functions talk to in the test (AWS_ENDPOINT_URL): DynamoDB
 * requests go on to DynamoDB Local unchanged; SQS, EventBridge and Secrets Manager, which have
 * no local server, are answered here in their JSON protocols. Every call is recorded with its
 * caller, IAM action and resource.
 */
export async function startAwsTwin(dynamoDbEndpoint: string, handlers: TwinHandlers): Promise<AwsTwin> {
  const calls: RecordedCall[] = [];
  const secrets = new Map<string, string>();
  const parked = new Map<string, QueuedMessage[]>();
  /** Messages received and not yet deleted or released, by message id: their receipt handle. */
  const inFlight = new Map<string, string>();
  const dynamo = new URL(dynamoDbEndpoint);
  const json = (status: number, body: unknown, type = 'application/x-amz-json-1.0') => ({ status, body: JSON.stringify(body), type });
  const awsError = (type: string, message: string) => json(400, { __type: type, message });

  const answer = (caller: string, target: string, body: unknown) => {
    const [service = '', operation = ''] = target.split('.');
    const record = (action: string, resource: string) => calls.push({ caller, action, resource });
    if (service === 'AmazonSQS' && operation === 'SendMessage') {
      const { QueueUrl, MessageBody, DelaySeconds } = sendMessage.parse(body);
      record('sqs:SendMessage', QueueUrl);
      const queue = QueueUrl.split('/').at(-1) ?? '';
      const message = { messageId: randomUUID(), body: MessageBody, receiveCount: 0 };
      handlers.onMessage(queue, message, DelaySeconds ?? 0);
      return json(200, { MessageId: message.messageId, MD5OfMessageBody: md5(MessageBody) });
    }
    if (service === 'AmazonSQS' && ['ReceiveMessage', 'DeleteMessage', 'ChangeMessageVisibility'].includes(operation)) {
      const { QueueUrl, MaxNumberOfMessages, ReceiptHandle } = queueRequest.parse(body);
      record(`sqs:${operation}`, QueueUrl);
      const queue = QueueUrl.split('/').at(-1) ?? '';
      const held = parked.get(queue) ?? [];
      if (operation === 'ReceiveMessage') {
        const visible = held.filter((m) => !inFlight.has(m.messageId)).slice(0, MaxNumberOfMessages ?? 1);
        for (const m of visible) inFlight.set(m.messageId, `${m.messageId}:${randomUUID()}`);
        return json(200, { Messages: visible.map((m) => ({ MessageId: m.messageId, ReceiptHandle: inFlight.get(m.messageId), Body: m.body, MD5OfBody: md5(m.body) })) });
      }
      const messageId = ReceiptHandle?.split(':')[0] ?? '';
      if (inFlight.get(messageId) !== ReceiptHandle) return awsError('ReceiptHandleIsInvalid', 'The receipt handle is not valid');
      inFlight.delete(messageId);
      if (operation === 'DeleteMessage')
        parked.set(
          queue,
          held.filter((m) => m.messageId !== messageId),
        );
      return json(200, {});
    }
    if (service === 'AmazonSQS' && operation === 'ListQueues') {
      const prefix = z
        .object({ QueueNamePrefix: z.string().default('') })
        .loose()
        .parse(body).QueueNamePrefix;
      record('sqs:ListQueues', '*');
      return json(200, { QueueUrls: [...parked.keys()].filter((name) => name.startsWith(prefix)).map((name) => `${endpoint()}/000000000000/${name}`) });
    }
    if (service === 'AWSEvents' && operation === 'PutEvents') {
      const { Entries } = putEvents.parse(body);
      for (const bus of new Set(Entries.map((e) => e.EventBusName))) record('events:PutEvents', bus);
      handlers.onEvents(Entries);
      return json(200, { FailedEntryCount: 0, Entries: Entries.map(() => ({ EventId: randomUUID() })) }, 'application/x-amz-json-1.1');
    }
    if (service === 'secretsmanager') {
      const { SecretId } = secretId.parse(body);
      record(`secretsmanager:${operation}`, SecretId);
      const value = secrets.get(SecretId);
      if (operation === 'GetSecretValue' && value !== undefined) return json(200, { Name: SecretId, SecretString: value }, 'application/x-amz-json-1.1');
      return awsError('ResourceNotFoundException', `Secrets Manager can't find the specified secret.`);
    }
    record(`${service}:${operation}`, '*');
    return awsError('UnknownOperationException', `The twin does not answer ${target}`);
  };

  const endpoint = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const server: Server = createServer(async (req, res) => {
    const raw = await readBody(req);
    const target = String(req.headers['x-amz-target'] ?? '');
    const caller = callerOf(req);
    const invocation = /^\/2015-03-31\/functions\/([^/]+)\/invocations/.exec(req.url ?? '');
    if (invocation?.[1] !== undefined && handlers.onInvoke !== undefined && req.headers['x-amz-invocation-type'] === 'Event') {
      const functionName = decodeURIComponent(invocation[1]);
      calls.push({ caller, action: 'lambda:InvokeFunction', resource: functionName });
      handlers.onInvoke(functionName, raw.toString('utf8'));
      res.writeHead(202, { 'x-amzn-requestid': randomUUID() }).end();
      return;
    }
    if (target.startsWith('DynamoDB_20120810.')) {
      for (const call of dynamoDbCalls(target.slice('DynamoDB_20120810.'.length), JSON.parse(raw.toString('utf8')))) calls.push({ caller, ...call });
      const forward = request(
        { host: dynamo.hostname, port: dynamo.port, method: req.method, path: req.url, headers: { ...req.headers, host: dynamo.host, authorization: asTableOwner(req.headers.authorization) } },
        (answered) => {
          res.writeHead(answered.statusCode ?? 500, answered.headers);
          answered.pipe(res);
        },
      );
      forward.on('error', () => res.writeHead(502).end());
      forward.end(raw);
      return;
    }
    const { status, body, type } = answer(caller, target, raw.length > 0 ? JSON.parse(raw.toString('utf8')) : {});
    res.writeHead(status, { 'content-type': type, 'x-amzn-requestid': randomUUID() }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: endpoint(),
    calls,
    secrets,
    parked,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
