import { appDeps } from '../../lib/deps';
import { startLocal } from '../../lib/local/start';
import { createWorkspace } from '../../lib/workspaces/workspaces';

export interface E2eServer {
  url: string;
  apiKey: string;
  workspaceId: string;
  stop(): Promise<void>;
}

/**
 * The whole local Latchkey, as `npm start` runs it: Amazon DynamoDB Local in memory, the real
 * handlers behind a real HTTP server, the poller ticking every second and the worker on the
 * in-process bus. Locks answer in 300 ms and never fail at random, so lifecycles finish in
 * seconds. startLocal sets the process environment for the handlers: one per test file.
 */
export async function startE2eServer(): Promise<E2eServer> {
  process.env.LATCHKEY_SANDBOX_LATENCY_MS = '300';
  process.env.LATCHKEY_SANDBOX_FAILURE_RATE = '0';
  // An offline lock is retried after 1 s, 2 s, ... instead of 5 s, 10 s, ...
  process.env.LATCHKEY_RETRY_BASE_SECONDS = '1';
  const running = await startLocal({ port: 0, store: 'dynamodb', tableName: 'latchkey', tickSeconds: 1 });
  if (running.apiKey === undefined) {
    await running.stop();
    throw new Error('startLocal created no sandbox API key: the table was not empty');
  }
  return { url: running.url, apiKey: running.apiKey, workspaceId: running.workspaceId, stop: () => running.stop() };
}

/** A second sandbox workspace in the running server's store, with its own locks and API key. */
export async function createOtherWorkspace(): Promise<{ apiKey: string; workspaceId: string }> {
  const created = await createWorkspace(appDeps(), { name: 'Other tenant', sandbox: true, sandboxFailureRate: 0 });
  return { apiKey: created.api_key, workspaceId: created.workspace.workspace_id };
}
