import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import * as z from 'zod';
import { ensureTable, localDynamoDbClient } from '../adapters/dynamodb-table-setup';
import { loadConfig } from '../config';
import { buildDeps } from '../wiring/whole-app';
import { startDynamoDbLocal } from '../local/dynamodb-local';
import { connectSeamAccount } from '../providers/seam';
import { connectZwaveHub } from './connect-zwave';
import { eventBridgePublisher } from '../adapters/eventbridge-publisher';
import { lambdaInvoke, queueUrlOf, replayDeadLetters, sdkStreamRecords, sqsReplayQueues } from './dead-letters';
import { listConnectedAccounts } from '../connected-accounts/connected-accounts';
import { seamProductionEndpoint } from '../providers/seam';
import { workspacePrincipal } from '../principals/principal';
import { createPersonalAccessToken, createPublishableKey, describeToken } from '../principals/credentials';
import { createApiKey, createWorkspace } from '../workspaces/workspaces';

// The SDK's Node 20 end-of-support notice is for the maintainers of this project, not its users.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const usage = `Latchkey operator CLI

  npm run latchkey -- workspaces create --name NAME [--sandbox] [--api-key seam_...]
  npm run latchkey -- workspaces list
  npm run latchkey -- keys create --workspace WORKSPACE_ID
  npm run latchkey -- keys list --workspace WORKSPACE_ID
  npm run latchkey -- keys revoke --workspace WORKSPACE_ID --key-id API_KEY_ID
  npm run latchkey -- accounts connect seam --workspace WORKSPACE_ID --api-key SEAM_KEY [--endpoint URL] [--webhook-secret whsec_...]
  npm run latchkey -- accounts connect zwave --workspace WORKSPACE_ID --name "Unit 4B hub" [--out DIR] [--iot-policy NAME]
  npm run latchkey -- accounts list --workspace WORKSPACE_ID
  npm run latchkey -- keys create-publishable --workspace WORKSPACE_ID
  npm run latchkey -- tokens create --name NAME --workspace WORKSPACE_ID [--workspace WORKSPACE_ID ...]
  npm run latchkey -- tokens list
  npm run latchkey -- tokens revoke --token-id PERSONAL_ACCESS_TOKEN_ID
  npm run latchkey -- webhooks failed --workspace WORKSPACE_ID
  npm run latchkey -- dead-letters replay --queue QUEUE_NAME_OR_URL [--dry-run] [--limit N]

Target: the local data in LATCHKEY_DATA_DIR (default .latchkey/, through the DynamoDB Local
that a running \`npm start\` uses, or one started for the command); LATCHKEY_DYNAMODB_ENDPOINT
for another DynamoDB; or a deployed stack: set LATCHKEY_TABLE_NAME to its TableName output,
with AWS credentials and AWS_REGION in the environment, and LATCHKEY_SECRETS_PREFIX to its
SecretsPrefix output so that provider credentials go to Secrets Manager. \`dead-letters replay\`
reads an SQS dead-letter queue (AWS credentials and AWS_REGION) and puts follow-ups back on
LATCHKEY_FOLLOW_UP_QUEUE_URL, webhook deliveries on LATCHKEY_WEBHOOK_QUEUE_URL and events a
rule's target gave up on onto LATCHKEY_EVENT_BUS_NAME; hub messages and account-sync ticks
invoke LATCHKEY_HUB_EVENTS_FUNCTION and LATCHKEY_ACCOUNT_SYNC_FUNCTION as their triggers do;
a poll tick is dropped (the next tick is its retry); a stream batch the relay gave up is
read again from the table's stream by position (within its 24 hours) and its events put on
LATCHKEY_EVENT_BUS_NAME. Prints one JSON document.`;

const envSchema = z.object({
  LATCHKEY_DATA_DIR: z.string().min(1).default('.latchkey'),
  LATCHKEY_DYNAMODB_ENDPOINT: z.url().optional(),
  LATCHKEY_TABLE_NAME: z.string().min(1).optional(),
});

const replayTargetsSchema = z
  .object({
    LATCHKEY_FOLLOW_UP_QUEUE_URL: z.url().optional(),
    LATCHKEY_WEBHOOK_QUEUE_URL: z.url().optional(),
    LATCHKEY_EVENT_BUS_NAME: z.string().min(1).optional(),
    LATCHKEY_HUB_EVENTS_FUNCTION: z.string().min(1).optional(),
    LATCHKEY_ACCOUNT_SYNC_FUNCTION: z.string().min(1).optional(),
  })
  .transform((env) => {
    const bus = env.LATCHKEY_EVENT_BUS_NAME;
    return {
      followUpQueueUrl: env.LATCHKEY_FOLLOW_UP_QUEUE_URL,
      webhookQueueUrl: env.LATCHKEY_WEBHOOK_QUEUE_URL,
      hubEventsFunction: env.LATCHKEY_HUB_EVENTS_FUNCTION,
      accountSyncFunction: env.LATCHKEY_ACCOUNT_SYNC_FUNCTION,
      ...(bus !== undefined && { publisher: eventBridgePublisher(bus) }),
    };
  });

const answers = async (endpoint: string): Promise<boolean> => {
  try {
    await localDynamoDbClient(endpoint).send(new ListTablesCommand({ Limit: 1 }), { abortSignal: AbortSignal.timeout(2000) });
    return true;
  } catch {
    return false;
  }
};

/** The DynamoDB to work on, and how to let go of it afterwards. */
async function target(env: z.infer<typeof envSchema>): Promise<{ endpoint?: string; tableName: string; release(): Promise<void> }> {
  const none = async () => {};
  if (env.LATCHKEY_DYNAMODB_ENDPOINT) return { endpoint: env.LATCHKEY_DYNAMODB_ENDPOINT, tableName: env.LATCHKEY_TABLE_NAME ?? 'latchkey', release: none };
  if (env.LATCHKEY_TABLE_NAME) return { tableName: env.LATCHKEY_TABLE_NAME, release: none };
  const tableName = 'latchkey';
  const endpointFile = join(env.LATCHKEY_DATA_DIR, 'dynamodb-endpoint');
  if (existsSync(endpointFile)) {
    const endpoint = readFileSync(endpointFile, 'utf8').trim();
    // A file left by an `npm start` that did not stop cleanly points nowhere: then start our own.
    if (await answers(endpoint)) return { endpoint, tableName, release: none };
  }
  const local = await startDynamoDbLocal({ dataDir: resolve(env.LATCHKEY_DATA_DIR) });
  await ensureTable(localDynamoDbClient(local.endpoint), tableName);
  return { endpoint: local.endpoint, tableName, release: local.stop };
}

async function main(argv: string[]): Promise<unknown> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      sandbox: { type: 'boolean', default: false },
      'api-key': { type: 'string' },
      workspace: { type: 'string', multiple: true },
      'key-id': { type: 'string' },
      endpoint: { type: 'string' },
      'webhook-secret': { type: 'string' },
      'token-id': { type: 'string' },
      out: { type: 'string' },
      'iot-policy': { type: 'string' },
      queue: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      limit: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const command = positionals.join(' ');
  if (values.help || command === '') return usage;
  const require = (name: keyof typeof values): string => {
    const given = values[name];
    const v = Array.isArray(given) ? given.at(-1) : given;
    if (typeof v !== 'string' || v === '') throw new Error(`--${name} is required for "${command}"`);
    return v;
  };

  if (command === 'dead-letters replay') {
    const limit = z.coerce.number().int().min(1).max(10_000).default(1000).parse(values.limit);
    const sqs = await sqsReplayQueues();
    const queueUrl = await queueUrlOf(sqs, require('queue'), process.env.LATCHKEY_STAGE);
    return await replayDeadLetters(
      sqs,
      queueUrl,
      { ...replayTargetsSchema.parse(process.env), invoke: await lambdaInvoke(), streamRecords: await sdkStreamRecords() },
      { dryRun: values['dry-run'] ?? false, limit },
    );
  }
  const env = envSchema.parse(process.env);
  const db = await target(env);
  try {
    const cfg = loadConfig({ ...process.env, LATCHKEY_STORE: 'dynamodb', LATCHKEY_TABLE_NAME: db.tableName, LATCHKEY_DYNAMODB_ENDPOINT: db.endpoint });
    const deps = buildDeps(cfg);
    const workspace = async () => {
      const id = require('workspace');
      if (!(await deps.workspaces.get(id))) throw new Error(`No workspace ${id}`);
      return id;
    };
    switch (command) {
      case 'workspaces create': {
        const created = await createWorkspace(deps, { name: require('name'), sandbox: values.sandbox ?? false, apiKey: values['api-key'] });
        return { workspace_id: created.workspace.workspace_id, api_key: created.api_key };
      }
      case 'workspaces list':
        return { workspaces: await deps.workspaces.list() };
      case 'keys create': {
        const created = await createApiKey(deps, await workspace());
        return { api_key_id: created.api_key_id, api_key: created.api_key };
      }
      case 'keys list':
        return { api_keys: (await deps.workspaces.listApiKeys(await workspace())).map(({ key_hash: _, ...key }) => key) };
      case 'keys revoke': {
        const revoked = await deps.workspaces.revokeApiKey(await workspace(), require('key-id'));
        if (!revoked) throw new Error('No such API key in that workspace');
        return { revoked: true };
      }
      case 'accounts connect seam':
        return await connectSeamAccount(deps, {
          workspaceId: await workspace(),
          apiKey: require('api-key'),
          endpoint: values.endpoint ?? seamProductionEndpoint,
          ...(values['webhook-secret'] !== undefined && { webhookSecret: values['webhook-secret'] }),
        });
      case 'accounts connect zwave':
        return await connectZwaveHub(deps, {
          workspaceId: await workspace(),
          name: require('name'),
          // A deployed stack: the hub gets its thing and certificate in AWS IoT.
          aws: db.endpoint === undefined,
          policyName: values['iot-policy'] ?? process.env.LATCHKEY_HUB_POLICY_NAME,
          // Checked by the config schema; unset means local data only.
          ...(process.env.LATCHKEY_STAGE !== undefined && { stage: cfg.LATCHKEY_STAGE }),
          outDir: values.out,
        });
      case 'accounts list':
        return { connected_accounts: await listConnectedAccounts(deps, workspacePrincipal(await workspace()), {}) };
      case 'keys create-publishable': {
        const created = await createPublishableKey(deps, await workspace());
        return { publishable_key: created.publishable_key, publishable_key_id: created.publishable_key_id };
      }
      case 'tokens create': {
        const created = await createPersonalAccessToken(deps, { name: require('name'), workspaceIds: values.workspace ?? [] });
        return {
          personal_access_token: created.personal_access_token,
          personal_access_token_id: created.personal_access_token_id,
          revoke: `npm run latchkey -- tokens revoke --token-id ${created.personal_access_token_id}`,
        };
      }
      case 'webhooks failed':
        return { failed_deliveries: await deps.webhooks.listFailedDeliveries(await workspace()) };
      case 'tokens list':
        return { personal_access_tokens: (await deps.credentials.listPersonalAccessTokens()).map(describeToken) };
      case 'tokens revoke': {
        if (!(await deps.credentials.revokePersonalAccessToken(require('token-id')))) throw new Error('No such personal access token');
        return { revoked: true };
      }
      default:
        throw new Error(`Unknown command "${command}"\n\n${usage}`);
    }
  } finally {
    await db.release();
  }
}

main(process.argv.slice(2)).then(
  (out) => {
    console.log(typeof out === 'string' ? out : JSON.stringify(out, null, 2));
    process.exit(0);
  },
  (error: unknown) => {
    console.error(`latchkey: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
