import { EventEmitter } from 'node:events';
import { DoorLockMode, UserCodeCC, UserCodeCommand, UserIDStatus } from '@zwave-js/cc';
import { CommandClasses, NodeStatus } from '@zwave-js/core';
import { Driver, type ZWaveNode } from 'zwave-js';
import { accessControlEvent, type LinkEvent, type LockNode, type LockStatus, type ZwaveLink } from './zwave-link';

export type SecurityKeyName = 'S0_Legacy' | 'S2_Unauthenticated' | 'S2_Authenticated' | 'S2_AccessControl';

export interface DriverLinkOptions {
  /** A serial device (`/dev/ttyUSB0`, `/dev/serial/by-id/...`) or `tcp://host:port`. */
  serialPort: string;
  /** zwave-js's network cache, which makes restarts skip the interview. */
  cacheDir: string;
  /** The network's keys (16 bytes each): locks are included securely, so they are needed to talk to them. */
  securityKeys?: Partial<Record<SecurityKeyName, Uint8Array<ArrayBuffer>>>;
  /** zwave-js's own log (it masks user codes); off by default. */
  zwaveLogLevel?: 'error' | 'warn' | 'info' | 'debug';
  onError?: (error: Error) => void;
}

const statusOf = (status: NodeStatus): LockStatus =>
  status === NodeStatus.Dead ? 'dead' : status === NodeStatus.Asleep ? 'asleep' : status === NodeStatus.Alive || status === NodeStatus.Awake ? 'alive' : 'unknown';

const asText = (code: string | Uint8Array | undefined): string => (code === undefined ? '' : typeof code === 'string' ? code : Buffer.from(code).toString('ascii'));

/** Drives the controller with zwave-js in this process. Resolves once the driver is ready (locks follow as they finish their interview). */
const readyTimeoutMs = 60_000;

export async function startDriverLink(options: DriverLinkOptions): Promise<ZwaveLink> {
  const events = new EventEmitter();
  const emit = (event: LinkEvent) => events.emit('event', event);
  const driver = new Driver(options.serialPort, {
    storage: { cacheDir: options.cacheDir, lockDir: `${options.cacheDir}/locks` },
    securityKeys: options.securityKeys,
    // A first interview otherwise clears every user code on the lock: read them instead.
    interview: { queryAllUserCodes: true },
    logConfig: options.zwaveLogLevel ? { enabled: true, level: options.zwaveLogLevel } : { enabled: false },
  });
  driver.on('error', (error) => options.onError?.(error));

  const watch = (node: ZWaveNode) => {
    node.on('ready', () => node.supportsCC(CommandClasses['User Code']) && emit({ type: 'lock_ready', nodeId: node.id }));
    node.on('notification', (_node, ccId, args) => {
      if (ccId !== CommandClasses.Notification || !('type' in args) || !('event' in args)) return;
      const event = accessControlEvent(node.id, args.type, args.event, 'parameters' in args ? args.parameters : undefined);
      if (event) emit(event);
    });
    for (const change of ['dead', 'alive', 'sleep', 'wake up'] as const) {
      node.on(change, () => emit({ type: 'status', nodeId: node.id, status: statusOf(node.status) }));
    }
  };

  await new Promise<void>((resolve, reject) => {
    let settled = false;
    // A controller that fails or never answers stops this start with a reason, rather than leaving it waiting.
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // Let go of the controller and the cache's lock before saying so: a retry opens them again.
      driver
        .destroy()
        .catch(() => {})
        .finally(() => reject(error));
    };
    const timer = setTimeout(() => fail(new Error(`The Z-Wave controller at ${options.serialPort} was not ready within ${readyTimeoutMs / 1000} s`)), readyTimeoutMs);
    driver.once('error', (error) => fail(error));
    driver.once('driver ready', () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      for (const node of driver.controller.nodes.values()) watch(node);
      driver.controller.on('node added', (node) => watch(node));
      resolve();
    });
    driver.start().catch((error: unknown) => fail(error instanceof Error ? error : new Error('The Z-Wave driver did not start')));
  });

  const lockNode = (nodeId: number) => {
    const node = driver.controller.nodes.get(nodeId);
    if (!node?.supportsCC(CommandClasses['User Code'])) throw new Error(`Node ${nodeId} is not a User Code lock`);
    return node;
  };

  return {
    locks() {
      const out: LockNode[] = [];
      for (const node of driver.controller.nodes.values()) {
        if (!node.ready || !node.supportsCC(CommandClasses['User Code'])) continue;
        const endpoint = node.getEndpoint(0) ?? node;
        out.push({
          nodeId: node.id,
          name: node.name || node.label || `Lock ${node.id}`,
          manufacturer: node.manufacturer ?? 'Unknown',
          model: node.label ?? node.deviceConfig?.description ?? 'Z-Wave lock',
          capacity: UserCodeCC.getSupportedUsersCached(driver, endpoint) ?? 0,
          codeChars: UserCodeCC.getSupportedASCIICharsCached(driver, endpoint),
          status: statusOf(node.status),
          doorLock: node.supportsCC(CommandClasses['Door Lock']),
        });
      }
      return out;
    },
    async readSlot(nodeId, slot) {
      const answer = await lockNode(nodeId).commandClasses['User Code'].get(slot);
      if (answer === undefined) throw new Error(`Lock ${nodeId} did not answer for slot ${slot}`);
      const held = answer.userIdStatus === UserIDStatus.Enabled || answer.userIdStatus === UserIDStatus.Disabled;
      return held ? asText(answer.userCode) : '';
    },
    async userCodeChecksum(nodeId) {
      const api = lockNode(nodeId).commandClasses['User Code'];
      // Known from the lock's capabilities report (version 2), kept in zwave-js's cache.
      if (api.supportsCommand(UserCodeCommand.UserCodeChecksumGet) !== true) return undefined;
      const checksum = await api.getUserCodeChecksum();
      if (checksum === undefined) throw new Error(`Lock ${nodeId} did not answer for its user code checksum`);
      return checksum;
    },
    async writeSlot(nodeId, slot, code) {
      const api = lockNode(nodeId).commandClasses['User Code'];
      if (code === '') await api.clear(slot);
      else await api.set(slot, UserIDStatus.Enabled, code);
    },
    async moveBolt(nodeId, locked) {
      const node = lockNode(nodeId);
      if (!node.supportsCC(CommandClasses['Door Lock'])) throw new Error(`Lock ${nodeId} has no Door Lock CC`);
      const api = node.commandClasses['Door Lock'];
      await api.set(locked ? DoorLockMode.Secured : DoorLockMode.Unsecured);
      const status = await api.get();
      if (status === undefined) throw new Error(`Lock ${nodeId} did not report its bolt`);
      return status.currentMode === DoorLockMode.Secured;
    },
    onEvent: (listener) => void events.on('event', listener),
    close: () => driver.destroy(),
  };
}
