import { execFileSync } from 'node:child_process';
import * as z from 'zod';
import { envSchema } from '../config';
import { corsOriginsEnvSchema } from '../http/cors';
import { apiKeySchema } from '../workspaces/schemas';
import { startLocal } from './start';

// The SDK's Node 20 end-of-support notice is for the maintainers of this project, not its users.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** The application's configuration, and what only `npm start` reads. */
const localEnvSchema = envSchema.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  LATCHKEY_DATA_DIR: z.string().min(1).default('.latchkey'),
  LATCHKEY_API_KEY: apiKeySchema.optional(),
  LATCHKEY_TICK_SECONDS: z.coerce.number().min(0.1).max(3600).default(5),
  LATCHKEY_ZWAVE_MOCK_LOCKS: z.coerce.number().int().min(1).max(20).optional(),
  LATCHKEY_CORS_ORIGINS: corsOriginsEnvSchema.default(['localhost']),
  LATCHKEY_STREAM_POLL_MS: z.coerce.number().int().min(10).max(3_600_000).default(200),
});

const hasJava = () => {
  try {
    execFileSync('java', ['-version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

async function main() {
  const parsed = localEnvSchema.safeParse(process.env);
  if (!parsed.success) {
    console.error(`latchkey: invalid environment\n${z.prettifyError(parsed.error)}`);
    process.exit(2);
  }
  const env = parsed.data;
  if (env.LATCHKEY_STORE === 'dynamodb' && !env.LATCHKEY_DYNAMODB_ENDPOINT && !hasJava()) {
    console.error(
      [
        'latchkey: Java 17+ is needed to run Amazon DynamoDB Local, and `java` is not on PATH.',
        'Choose one:',
        '  - install Java 17+ (Debian/Ubuntu: sudo apt-get install -y openjdk-17-jre-headless), then npm start',
        '  - LATCHKEY_STORE=memory npm start          (in-memory, nothing kept at exit)',
        '  - LATCHKEY_DYNAMODB_ENDPOINT=http://host:port npm start   (an existing DynamoDB)',
      ].join('\n'),
    );
    process.exit(1);
  }

  console.log(
    env.LATCHKEY_STORE === 'memory'
      ? 'Store: in-memory (LATCHKEY_STORE=memory); nothing is kept at exit'
      : env.LATCHKEY_DYNAMODB_ENDPOINT
        ? `Store: DynamoDB at ${env.LATCHKEY_DYNAMODB_ENDPOINT}, table ${env.LATCHKEY_TABLE_NAME}`
        : `Store: Amazon DynamoDB Local, data in ${env.LATCHKEY_DATA_DIR}/, table ${env.LATCHKEY_TABLE_NAME}`,
  );
  const running = await startLocal({
    config: env,
    port: env.PORT,
    dataDir: env.LATCHKEY_DATA_DIR,
    apiKey: env.LATCHKEY_API_KEY,
    tickSeconds: env.LATCHKEY_TICK_SECONDS,
    zwaveMockLocks: env.LATCHKEY_ZWAVE_MOCK_LOCKS,
    corsOrigins: env.LATCHKEY_CORS_ORIGINS,
    streamPollMs: env.LATCHKEY_STREAM_POLL_MS,
  });

  const keyLine = running.apiKey
    ? `API key:    ${running.apiKey}`
    : `API key:    the one printed on first start (keys are stored hashed); set LATCHKEY_API_KEY=seam_... to fix one,\n            or: npm run latchkey -- keys create --workspace ${running.workspaceId}`;
  console.log(
    [
      `Latchkey is serving the Seam access-codes API on ${running.url}`,
      `Workspace:  ${running.workspaceId} (sandbox locks: GET ${running.url}/devices/list)`,
      keyLine,
      `SDK:        new SeamHttp({ apiKey: '${running.apiKey ?? 'seam_...'}', endpoint: '${running.url}' })  // npm i @seamapi/http`,
      `curl:       curl -H 'Authorization: Bearer ${running.apiKey ?? 'seam_...'}' ${running.url}/devices/list`,
      `Console:    ${running.url}/console  (sign in with a publishable key: npm run latchkey -- keys create-publishable --workspace ${running.workspaceId})`,
      ...(running.zwave
        ? [`Z-Wave:     ${running.zwave.locks} mock locks (zwave-js mock controller) behind the edge agent, hub account ${running.zwave.accountId}, local IoT Core at ${running.zwave.mqttUrl}`]
        : []),
      'Stop with Ctrl-C.',
    ].join('\n'),
  );

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping…`);
    await running.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(`latchkey: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
