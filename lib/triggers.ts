import type { Config } from './config';
import { type AccessCodeEventType, workStartingEventTypes } from './events/schemas';
import { notFoundFunction, type RouteDefinition, routes } from './http/routes';

/**
 * What a function needs besides its code. Each capability brings its configuration (an
 * environment variable in AWS) and its grants; the stack gives a function exactly what its
 * entry says, and in Lambda a function lacking the configuration of a need fails at cold start.
 */
export interface Needs {
  /** What it may do with the table. */
  table: 'none' | 'read' | 'readWrite';
  /** Applies lifecycle rules: lead times, sandbox latency, code history. */
  lifecycle: boolean;
  /** Takes engine steps, and so schedules each code's next step on the follow-up queue. */
  followUps?: boolean;
  /** Calls lock providers: reads (or also deletes) connected accounts' credentials, and reaches Z-Wave hubs' shadows. */
  credentials?: 'read' | 'readWrite';
  /** Reads and writes Z-Wave hubs' lock shadows without other provider credentials. */
  hubShadows?: boolean;
  /** Puts events on the bus (the outbox's relay only). */
  bus?: boolean;
  /** Sends webhook deliveries to their queue and its dead letters. */
  webhookQueues?: boolean;
  /** Reads webhook signing secrets, or also creates and deletes them. */
  webhookSecrets?: 'read' | 'readWrite';
}

/** The queues jobs take messages from; the stack creates them, local mode stands in for them in process. */
export type QueueName = 'followUps' | 'webhookDeliveries';

/** What starts a job. */
export type Trigger =
  /** A rule on the bus; every Latchkey event when `detailTypes` is absent. */
  | { kind: 'bus'; rule: string; description: string; detailTypes?: readonly AccessCodeEventType[]; retryAttempts: number; maxEventAgeSeconds: number }
  /** A scheduled rule: `poll` at the stage's poll rate, fanned out over groups of due shards; `daily` once a day (and at local start). */
  | { kind: 'schedule'; rule: string; description: string; every: 'poll' | 'daily'; fanOut?: number; retryAttempts: number; maxEventAgeSeconds?: number }
  /** An SQS event source, reporting failures per message. */
  | { kind: 'queue'; queue: QueueName; batchSize: number; maxConcurrency?: number }
  /** The table's stream: new event items only, failures reported per record. */
  | { kind: 'stream'; batchSize: number; maxRecordAgeSeconds: number }
  /** IoT Core's rules for Z-Wave hubs (infra/constructs/zwave-hubs.ts). */
  | { kind: 'iot' };

/** Where an asynchronously invoked function's events go once Lambda's own retries are spent. */
export interface AsyncFailures {
  /** Construct id of its dead-letter queue (also the rule target's dead letters). */
  deadLetters: string;
  retryAttempts: number;
  /** Absent: the schedule's interval. */
  maxEventAgeSeconds?: number;
}

/** One asynchronous job: a file in functions/ (without .ts), what starts it and what it needs. */
export interface JobDefinition {
  fn: string;
  trigger: Trigger;
  needs: Needs;
  timeoutSeconds: number;
  asyncFailures?: AsyncFailures;
}

const hour = 3600;

const jobEntries = [
  {
    fn: 'poll-pending-codes',
    trigger: { kind: 'schedule', rule: 'PollSchedule', description: 'poll for due access-code work', every: 'poll', fanOut: 4, retryAttempts: 2 },
    needs: { table: 'readWrite', lifecycle: true, followUps: true, credentials: 'read' },
    timeoutSeconds: 55,
    // A failed poll is not retried by Lambda: the next tick is the retry.
    asyncFailures: { deadLetters: 'PollerDeadLetters', retryAttempts: 0 },
  },
  {
    fn: 'process-access-code',
    trigger: {
      kind: 'bus',
      rule: 'AccessCodeChanges',
      description: 'program changed access codes at once',
      detailTypes: workStartingEventTypes,
      retryAttempts: 4,
      maxEventAgeSeconds: hour,
    },
    needs: { table: 'readWrite', lifecycle: true, followUps: true, credentials: 'read' },
    timeoutSeconds: 60,
    asyncFailures: { deadLetters: 'WorkerDeadLetters', retryAttempts: 2, maxEventAgeSeconds: hour },
  },
  {
    fn: 'sync-connected-accounts',
    trigger: { kind: 'schedule', rule: 'AccountSyncSchedule', description: "sync connected accounts' devices daily", every: 'daily', retryAttempts: 2, maxEventAgeSeconds: 6 * hour },
    needs: { table: 'readWrite', lifecycle: false, credentials: 'read' },
    timeoutSeconds: 300,
    asyncFailures: { deadLetters: 'AccountSyncDeadLetters', retryAttempts: 2, maxEventAgeSeconds: 6 * hour },
  },
  {
    fn: 'publish-events',
    trigger: { kind: 'stream', batchSize: 100, maxRecordAgeSeconds: 23 * hour },
    needs: { table: 'none', lifecycle: false, bus: true },
    timeoutSeconds: 60,
  },
  {
    fn: 'run-follow-ups',
    trigger: { kind: 'queue', queue: 'followUps', batchSize: 10 },
    needs: { table: 'readWrite', lifecycle: true, followUps: true, credentials: 'read' },
    timeoutSeconds: 60,
  },
  {
    fn: 'fan-out-webhooks',
    trigger: { kind: 'bus', rule: 'WebhookFanOut', description: "deliver every event to the workspace's webhooks", retryAttempts: 4, maxEventAgeSeconds: 6 * hour },
    needs: { table: 'readWrite', lifecycle: false, webhookQueues: true },
    timeoutSeconds: 30,
    asyncFailures: { deadLetters: 'WebhookFanOutDeadLetters', retryAttempts: 2, maxEventAgeSeconds: 6 * hour },
  },
  {
    fn: 'deliver-webhooks',
    trigger: { kind: 'queue', queue: 'webhookDeliveries', batchSize: 10, maxConcurrency: 50 },
    needs: { table: 'readWrite', lifecycle: false, webhookSecrets: 'read', webhookQueues: true },
    timeoutSeconds: 30,
  },
  {
    fn: 'release-webhook-deliveries',
    trigger: { kind: 'schedule', rule: 'WebhookReleaseSchedule', description: 'put parked webhook deliveries back on their queue when due', every: 'poll', retryAttempts: 0 },
    needs: { table: 'readWrite', lifecycle: false, webhookQueues: true },
    timeoutSeconds: 55,
  },
  {
    fn: 'zwave-hub-events',
    trigger: { kind: 'iot' },
    // A lock's report can change what a code needs next: it takes engine steps.
    needs: { table: 'readWrite', lifecycle: true, followUps: true, hubShadows: true },
    timeoutSeconds: 30,
    asyncFailures: { deadLetters: 'HubEventsDeadLetters', retryAttempts: 2, maxEventAgeSeconds: hour },
  },
] as const satisfies readonly JobDefinition[];

/** Every asynchronous job Latchkey runs: the single source for the CDK stack and for `npm start`. */
export const jobs: readonly JobDefinition[] = jobEntries;

export type JobName = (typeof jobEntries)[number]['fn'];

/** The job a function runs. */
export function jobFor(fn: JobName): JobDefinition {
  const job: JobDefinition | undefined = jobs.find((j) => j.fn === fn);
  if (!job) throw new Error(`No job ${fn}`);
  return job;
}

/** What an HTTP route's function needs, from its entry in the routes table. */
export function routeNeeds(route: RouteDefinition): Needs {
  return {
    table: route.readsTable === false ? 'none' : route.writes ? 'readWrite' : 'read',
    lifecycle: route.writes,
    ...(route.followUps && { followUps: true }),
    ...(route.credentials && { credentials: route.credentials }),
    ...(route.webhookSecrets && { webhookSecrets: route.webhookSecrets }),
  };
}

/** The not-found function answers before authentication and never reads the table. */
const notFoundNeeds: Needs = { table: 'none', lifecycle: false };

/** Every function Latchkey deploys, by file name in functions/ (without .ts), with what it needs. */
export const functionNeeds: ReadonlyMap<string, Needs> = new Map<string, Needs>([
  ...routes.map((route): [string, Needs] => [route.fn, routeNeeds(route)]),
  [notFoundFunction, notFoundNeeds],
  ...jobs.map((job): [string, Needs] => [job.fn, job.needs]),
]);

/** What the function `fn` needs; throws for a name that is in neither table. */
export function needsOf(fn: string): Needs {
  const needs = functionNeeds.get(fn);
  if (!needs) throw new Error(`${fn} is in neither the routes nor the trigger table`);
  return needs;
}

/** Whether the function reaches Z-Wave hubs' shadows: every provider caller does, and whoever says so. */
export const usesHubShadows = (needs: Needs): boolean => needs.hubShadows === true || needs.credentials !== undefined;

/**
 * Whether the function gets the lock side (lock providers, account sources and the engine): it
 * applies lifecycle rules to codes on locks or reaches locks. The others' bundles leave that code out.
 */
export const callsLocks = (needs: Needs): boolean => needs.lifecycle || usesHubShadows(needs);

/** The configuration of each capability in AWS: the variables it needs, and why, for the message of a cold start that lacks them. */
const capabilities: { needed: (needs: Needs) => boolean; because: string; variables: readonly (keyof Config)[] }[] = [
  { needed: (needs) => needs.followUps === true, because: 'it takes engine steps, which schedule follow-ups', variables: ['LATCHKEY_FOLLOW_UP_QUEUE_URL'] },
  { needed: (needs) => needs.bus === true, because: 'it puts events on the bus', variables: ['LATCHKEY_EVENT_BUS_NAME'] },
  {
    needed: (needs) => needs.webhookQueues === true,
    because: 'it queues webhook deliveries',
    variables: ['LATCHKEY_WEBHOOK_QUEUE_URL', 'LATCHKEY_WEBHOOK_DEAD_LETTER_QUEUE_URL'],
  },
  {
    needed: (needs) => needs.credentials !== undefined || needs.webhookSecrets !== undefined,
    because: 'it reads secrets from Secrets Manager',
    variables: ['LATCHKEY_SECRETS_PREFIX'],
  },
  { needed: usesHubShadows, because: "it reaches Z-Wave hubs' lock shadows", variables: ['LATCHKEY_ZWAVE_HUBS', 'LATCHKEY_IOT_DATA_ENDPOINT'] },
];

/** The configuration each capability needs in AWS, by environment variable. */
export function requiredVariables(needs: Needs): (keyof Config)[] {
  return capabilities.filter((capability) => capability.needed(needs)).flatMap((capability) => capability.variables);
}

/** What `cfg` lacks of what `needs` names, one sentence per variable. */
export function missingConfiguration(needs: Needs, cfg: Config): string[] {
  return capabilities
    .filter((capability) => capability.needed(needs))
    .flatMap((capability) => capability.variables.filter((variable) => cfg[variable] === undefined).map((variable) => `${variable} is not set (${capability.because})`));
}
