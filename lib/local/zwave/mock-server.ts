import { mkdtempSync, rmSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ZwavejsServer } from '@zwave-js/server';
import { Driver } from 'zwave-js';

/**
 * What Home Assistant runs at a property, without hardware: a zwave-js driver on the mock
 * network's controller and the real `@zwave-js/server` in front of it on loopback. The agent
 * then reaches the locks over the server's WebSocket (`zwave.server_url`), owning nothing.
 * (The package's own mock-server binary does not work over TCP, so the server runs here.)
 */
export interface MockZwaveServer {
  /** ws://127.0.0.1:<port> */
  url: string;
  /** Stops the WebSocket server and starts a new one on the same port and driver, as a Home Assistant restart looks to the agent. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** The server picks its port only from its options (0 means its default, 3000): find a free one first. */
const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });

const quiet = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {} };

/** Starts the driver, waits for every node's interview, then serves it. */
export async function startMockZwaveServer(serialPort: string, readyTimeoutMs = 60_000): Promise<MockZwaveServer> {
  const cacheDir = mkdtempSync(join(tmpdir(), 'latchkey-zwave-server-'));
  const driver = new Driver(serialPort, {
    storage: { cacheDir, lockDir: join(cacheDir, 'locks') },
    // As Z-Wave JS UI offers it: read the codes at the interview rather than clear them.
    interview: { queryAllUserCodes: true },
    logConfig: { enabled: false },
  });
  driver.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the mock network's nodes were not ready within ${readyTimeoutMs / 1000} s`)), readyTimeoutMs);
    driver.once('all nodes ready', () => {
      clearTimeout(timer);
      resolve();
    });
    driver.start().catch((error: unknown) => {
      clearTimeout(timer);
      reject(error instanceof Error ? error : new Error('the driver did not start'));
    });
  });
  const port = await freePort();
  const serve = async () => {
    const server = new ZwavejsServer(driver, { port, host: '127.0.0.1', logger: quiet, enableDNSServiceDiscovery: false });
    await server.start();
    return server;
  };
  let server = await serve();
  return {
    url: `ws://127.0.0.1:${port}`,
    async restart() {
      await server.destroy();
      server = await serve();
    },
    async stop() {
      await server.destroy().catch(() => {});
      await driver.destroy().catch(() => {});
      rmSync(cacheDir, { recursive: true, force: true });
    },
  };
}
