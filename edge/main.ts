import { parseArgs } from 'node:util';
import { Logger } from '@aws-lambda-powertools/logger';
import { loadEdgeConfig } from './config';
import type { AgentLog } from './lock-sync';
import { runAgent } from './run';

const usage = `Latchkey edge agent: keeps a property's Z-Wave locks in step with Latchkey, over AWS IoT Core.

  npm run edge -- --config edge.json

Configuration: a JSON file (--config or LATCHKEY_EDGE_CONFIG), with environment variables over it:
  LATCHKEY_EDGE_THING_NAME, LATCHKEY_EDGE_MQTT_URL, LATCHKEY_EDGE_CERT_FILE, LATCHKEY_EDGE_KEY_FILE,
  LATCHKEY_EDGE_CA_FILE, LATCHKEY_EDGE_SERIAL_PORT (or LATCHKEY_EDGE_ZWAVE_SERVER_URL),
  LATCHKEY_EDGE_CACHE_DIR, LATCHKEY_EDGE_S0_LEGACY_KEY, LATCHKEY_EDGE_S2_UNAUTHENTICATED_KEY,
  LATCHKEY_EDGE_S2_AUTHENTICATED_KEY, LATCHKEY_EDGE_S2_ACCESS_CONTROL_KEY.
\`npm run latchkey -- accounts connect zwave\` writes the file for a hub. Logs carry slots and node ids, never a PIN.`;

async function main() {
  const { values } = parseArgs({ options: { config: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    console.log(usage);
    return;
  }
  const config = loadEdgeConfig(values.config ?? process.env.LATCHKEY_EDGE_CONFIG, process.env);
  const logger = new Logger({ serviceName: 'latchkey-edge', logLevel: process.env.LOG_LEVEL === 'DEBUG' ? 'DEBUG' : 'INFO' });
  const log: AgentLog = { info: (m, f) => logger.info(m, { ...f }), warn: (m, f) => logger.warn(m, { ...f }) };
  log.info('starting', { thing: config.thing_name, zwave: 'serial_port' in config.zwave ? 'controller' : 'server' });
  const running = await runAgent(config, log);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('stopping', { signal });
    await running.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(`latchkey edge: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
