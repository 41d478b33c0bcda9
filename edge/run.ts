import { backOff } from 'exponential-backoff';
import { startEdgeAgent, type EdgeAgent } from './agent';
import type { EdgeConfig } from './config';
import { type SecurityKeyName, startDriverLink } from './driver-link';
import type { AgentLog } from './lock-sync';
import { startServerLink, ZwaveServerError } from './server-link';
import type { ZwaveLink } from './zwave-link';

export interface RunningAgent {
  agent: EdgeAgent;
  link: ZwaveLink;
  stop(): Promise<void>;
}

/** zwave-js's numeric error code, which names the failure without any message text. */
const zwaveCode = (error: unknown): { zwave_code?: number } => (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'number' ? { zwave_code: error.code } : {});

/** The network the configuration names: zwave-js on the controller, or an existing Z-Wave JS server. */
function openLink(config: EdgeConfig, log: AgentLog, reconnectMs: number): () => Promise<ZwaveLink> {
  if ('server_url' in config.zwave) {
    const url = config.zwave.server_url;
    return () =>
      startServerLink({
        url,
        reconnectMs,
        onError: (error) =>
          log.warn('z-wave server error', {
            error: error.name,
            ...(error instanceof ZwaveServerError ? { command: error.command, code: error.errorCode, ...(error.zwaveErrorCode === undefined ? {} : { zwave_code: error.zwaveErrorCode }) } : {}),
          }),
        onConnect: (info) => log.info('z-wave server connected', { server_version: info.serverVersion, driver_version: info.driverVersion, schema: info.schemaVersion }),
      });
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
  return () => startDriverLink(linkOptions);
}

/** Opens the Z-Wave network the configuration names, then starts the agent on it. */
export async function runAgent(config: EdgeConfig, log: AgentLog, options: { reconnectMs?: number; startAttempts?: number } = {}): Promise<RunningAgent> {
  const reconnectMs = options.reconnectMs ?? config.reconnect_seconds * 1000;
  const open = openLink(config, log, reconnectMs);
  // A controller or server that is slow to answer (a stick just plugged in, Home Assistant starting) gets a few tries.
  const attempts = options.startAttempts ?? 10;
  const link = await backOff(open, {
    numOfAttempts: attempts,
    startingDelay: 3000,
    timeMultiple: 1,
    retry: (error: unknown, failed: number) => {
      if (failed >= attempts) return false;
      log.warn('z-wave network not ready, trying again', { attempt: failed, error: error instanceof Error ? error.name : 'unknown', ...zwaveCode(error) });
      return true;
    },
  });
  const agent = startEdgeAgent(config, { log, link, reconnectMs });
  return {
    agent,
    link,
    async stop() {
      await agent.stop();
      await link.close();
    },
  };
}
