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
/** zwave-js's numeric error code, which names the failure without any message text. */
const zwaveCode = (error: unknown): { zwave_code?: number } => (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'number' ? { zwave_code: error.code } : {});

export async function runAgent(config: EdgeConfig, log: AgentLog, options: { reconnectMs?: number; startAttempts?: number } = {}): Promise<RunningAgent> {
  if (!('serial_port' in config.zwave)) {
    throw new Error('zwave.server_url: connecting through a Z-Wave JS server is not supported yet; give the agent the controller (zwave.serial_port)');
  }
  const keys: Partial<Record<SecurityKeyName, Uint8Array<ArrayBuffer>>> = {};
  for (const [name, hex] of Object.entries(config.security_keys)) {
    if (hex !== undefined && (name === 'S0_Legacy' || name === 'S2_Unauthenticated' || name === 'S2_Authenticated' || name === 'S2_AccessControl')) {
      keys[name] = Uint8Array.from(Buffer.from(hex, 'hex'));
    }
  }
  const linkOptions = {
    serialPort: config.zwave.serial_port,
    cacheDir: config.cache_dir,
    securityKeys: keys,
    zwaveLogLevel: config.zwave_log_level,
    onError: (error: Error) => log.warn('z-wave driver error', { error: error.name, ...zwaveCode(error) }),
  };
  // A controller that is slow to answer (a stick just plugged in, a busy machine) gets a few tries.
  let link: ZwaveLink | undefined;
  for (let attempt = 1; link === undefined; attempt++) {
    try {
      link = await startDriverLink(linkOptions);
    } catch (error) {
      if (attempt >= (options.startAttempts ?? 10)) throw error;
      log.warn('z-wave controller not ready, trying again', { attempt, error: error instanceof Error ? error.name : 'unknown', ...zwaveCode(error) });
      await new Promise((resolve) => setTimeout(resolve, 3000));
    }
  }
  const agent = startEdgeAgent(config, { log, link, reconnectMs: options.reconnectMs ?? config.reconnect_seconds * 1000 });
  return {
    agent,
    link,
    async stop() {
      await agent.stop();
      await link.close();
    },
  };
}
