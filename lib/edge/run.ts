import { startEdgeAgent, type EdgeAgent } from './agent';
import type { EdgeConfig } from './config';
import { type SecurityKeyName, startDriverLink } from './driver-link';
import type { AgentLog } from './lock-sync';
import type { ZwaveLink } from './zwave-link';

export interface RunningAgent {
  agent: EdgeAgent;
  link: ZwaveLink;
  stop(): Promise<void>;
}

/** Opens the Z-Wave network the configuration names, then starts the agent on it. */
export async function runAgent(config: EdgeConfig, log: AgentLog, options: { reconnectMs?: number } = {}): Promise<RunningAgent> {
  if (!('serial_port' in config.zwave)) {
    throw new Error('zwave.server_url: connecting through a Z-Wave JS server is not supported yet; give the agent the controller (zwave.serial_port)');
  }
  const keys: Partial<Record<SecurityKeyName, Uint8Array<ArrayBuffer>>> = {};
  for (const [name, hex] of Object.entries(config.security_keys)) {
    if (hex !== undefined && (name === 'S0_Legacy' || name === 'S2_Unauthenticated' || name === 'S2_Authenticated' || name === 'S2_AccessControl')) {
      keys[name] = Uint8Array.from(Buffer.from(hex, 'hex'));
    }
  }
  const link = await startDriverLink({
    serialPort: config.zwave.serial_port,
    cacheDir: config.cache_dir,
    securityKeys: keys,
    zwaveLogLevel: config.zwave_log_level,
    onError: (error) => log.warn('z-wave driver error', { error: error.name }),
  });
  const agent = startEdgeAgent(config, { log, link, reconnectMs: options.reconnectMs });
  return {
    agent,
    link,
    async stop() {
      await agent.stop();
      await link.close();
    },
  };
}
