import * as path from 'node:path';
import { notFoundFunction, routes } from '../lib/http/routes';
import { type JobName, jobs } from '../lib/triggers';

/** Runs on the schedule: finds codes whose lifecycle work is due and hands them on. */
export const pollerFunction = 'poll-pending-codes' satisfies JobName;

/** Runs on each access_code.* event: programs the code on its lock at once. */
export const workerFunction = 'process-access-code' satisfies JobName;

/** Runs a code's next engine step when it falls due, from the follow-up queue's delayed messages. */
export const followUpFunction = 'run-follow-ups' satisfies JobName;

/** Reads the table's stream and puts every stored event on the bus: the outbox's relay. */
export const publisherFunction = 'publish-events' satisfies JobName;

/** Runs daily: syncs every connected account's devices with its provider. */
export const accountSyncFunction = 'sync-connected-accounts' satisfies JobName;

/** Runs on every event on the bus: queues one delivery per webhook that wants it. */
export const webhookFanOutFunction = 'fan-out-webhooks' satisfies JobName;

/** Consumes the webhook delivery queue: sends, signs, retries, gives up. */
export const webhookDeliveryFunction = 'deliver-webhooks' satisfies JobName;

/** Runs on the poll schedule: puts webhook deliveries parked for a retry hours away back on the queue shortly before they are due. */
export const webhookReleaseFunction = 'release-webhook-deliveries' satisfies JobName;

/** Runs on IoT Core's rules for Z-Wave hubs: lock shadow documents, presence, keypad events. */
export const hubEventsFunction = 'zwave-hub-events' satisfies JobName;

/** Every Lambda function Latchkey deploys, by file name in functions/ (without .ts): the routes table's and the trigger table's. */
export const functionNames: readonly string[] = [...routes.map((route) => route.fn), notFoundFunction, ...jobs.map((job) => job.fn)];

/** The repository root, where package-lock.json lives. */
export const projectRoot = path.resolve(__dirname, '..');

/** The source file of a function; each exports `handler`. */
export function functionEntry(name: string): string {
  return path.join(projectRoot, 'functions', `${name}.ts`);
}
