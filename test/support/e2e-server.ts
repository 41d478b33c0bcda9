import { loadConfig } from '../../lib/config';
import type { AppDeps } from '../../lib/deps';
import type { Clock } from '../../lib/ports';
import { startLocal } from '../../lib/local/start';
import { createWorkspace } from '../../lib/workspaces/workspaces';
import { recordAnswers } from './latchkey-answers';

export interface E2eServer {
  url: string;
  apiKey: string;
  workspaceId: string;
  stop(): Promise<void>;
}

let running: AppDeps | undefined;

/** The application of the server this test file started. */
export function appDeps(): AppDeps {
  if (running === undefined) throw new Error('No e2e server is running');
  return running;
}

/**
 * The whole local Latchkey, as `npm start` runs it: Amazon DynamoDB Local in memory, the real
 * handlers behind a real HTTP server, the poller ticking every second and the worker on the
 * in-process bus. Locks answer in 300 ms and never fail at random, so lifecycles finish in
 * seconds. Its configuration is the process environment's, with those settings: one server per test file.
 * Every 200 answer it sends is checked against Latchkey's own OpenAPI document: `stop()` fails
 * naming each answer that does not match its route's published schema.
 */
export async function startE2eServer(options: { clock?: Clock } = {}): Promise<E2eServer> {
  const config = loadConfig({
    ...process.env,
    LATCHKEY_STORE: 'dynamodb',
    LATCHKEY_TABLE_NAME: 'latchkey',
    // A DynamoDB Local of its own, never an earlier server's.
    LATCHKEY_DYNAMODB_ENDPOINT: undefined,
    LATCHKEY_SANDBOX_LATENCY_MS: '300',
    LATCHKEY_SANDBOX_FAILURE_RATE: '0',
    // An offline lock is retried after 1 s, 2 s, ... instead of 5 s, 10 s, ...
    LATCHKEY_RETRY_BASE_SECONDS: '1',
  });
  const started = await startLocal({ config, port: 0, tickSeconds: 1, ...(options.clock && { clock: options.clock }) });
  if (started.apiKey === undefined) {
    await started.stop();
    throw new Error('startLocal created no sandbox API key: the table was not empty');
  }
  running = started.deps;
  const answers = recordAnswers(started.server);
  // The operator CLI a test runs reaches this server's DynamoDB Local through the environment it inherits.
  process.env.LATCHKEY_DYNAMODB_ENDPOINT = started.config.LATCHKEY_DYNAMODB_ENDPOINT;
  const stop = async () => {
    delete process.env.LATCHKEY_DYNAMODB_ENDPOINT;
    await started.stop();
    const { errors } = answers.mismatches();
    if (errors.length > 0) throw new Error(`Answers that do not match Latchkey's /openapi.json:\n  ${errors.join('\n  ')}`);
  };
  return { url: started.url, apiKey: started.apiKey, workspaceId: started.workspaceId, stop };
}

/** A second sandbox workspace in the running server's store, with its own locks and API key. */
export async function createOtherWorkspace(): Promise<{ apiKey: string; workspaceId: string }> {
  const created = await createWorkspace(appDeps(), { name: 'Other tenant', sandbox: true, sandboxFailureRate: 0 });
  return { apiKey: created.api_key, workspaceId: created.workspace.workspace_id };
}
