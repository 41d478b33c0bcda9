import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { DoorLockMode, DoorLockOperationType, UserIDStatus } from '@zwave-js/cc';
import { NotificationCCGet, NotificationCCReport } from '@zwave-js/cc/NotificationCC';
import { UserCodeCCExtendedUserCodeSet, UserCodeCCGet, UserCodeCCSet, UserCodeCCUserCodeChecksumGet } from '@zwave-js/cc/UserCodeCC';
import { CommandClasses } from '@zwave-js/core';
import { SerialAPIParser, ZWaveSerialFrameType } from '@zwave-js/serial';
import { createAndOpenMockedZWaveSerialPort, MockPort } from '@zwave-js/serial/mock';
import { ccCaps, createMockZWaveRequestFrame, MockController, MockNode, type MockNodeBehavior } from '@zwave-js/testing';
import { createDefaultMockControllerBehaviors, createDefaultMockNodeBehaviors } from 'zwave-js/Testing';

/**
 * Z-Wave locks without hardware: zwave-js's mock controller with mock User Code locks, served
 * on a loopback TCP port as a real controller's serial line would be (`tcp://127.0.0.1:<port>`).
 * The edge agent opens it like any other controller, so local mode and tests run the agent's
 * real path. The network outlives the agent: restarting the agent finds the locks as it left them.
 */

export interface MockLockSpec {
  nodeId: number;
  /** User Code slots. */
  slots: number;
  /** User Code CC version: 1 (no capabilities report) or 2. */
  userCodeVersion?: 1 | 2;
  /** The User Code Checksum (version 2 only): on unless false. */
  userCodeChecksum?: boolean;
  /** PIN lengths the lock's firmware takes; other PINs are dropped without an error, as v1 locks do. */
  acceptLengths?: { min: number; max: number };
  /** What the slots hold when the network starts. */
  codes?: Record<number, string>;
  /** The name the lock reports (Node Naming CC). */
  name?: string;
  /** Door Lock CC (remote lock and unlock): on unless false. The bolt starts locked. */
  doorLock?: boolean;
}

export interface MockLock {
  readonly nodeId: number;
  /** What the lock's memory holds, slot by slot ("" = empty). */
  slots(): Record<number, string>;
  /** User Code Set commands the lock has received. */
  readonly setCommands: number;
  /** User Code Get (one slot each) and User Code Checksum Get commands the lock has received. */
  readonly reads: { slots: number; checksums: number };
  /** Someone changes a code at the keypad (or the lock's own app): "" deletes it. */
  setAtKeypad(slot: number, code: string): Promise<void>;
  /** The lock's memory changes and the lock says nothing (no notification), as many locks behave: "" deletes it. */
  changeSilently(slot: number, code: string): void;
  /** Someone unlocks the door with the code in `slot`. */
  unlockAtKeypad(slot: number): Promise<void>;
  /** Someone types a PIN the lock does not hold: it refuses it (Access Control "invalid credential used"). */
  denyAtKeypad(): Promise<void>;
  /** Whether the bolt is thrown (Door Lock CC's current mode is secured). */
  locked(): boolean;
}

export interface MockZwaveNetwork {
  /** The serial port string for zwave-js: `tcp://127.0.0.1:<port>`. */
  serialPort: string;
  locks: MockLock[];
  lock(nodeId: number): MockLock;
  stop(): Promise<void>;
}

// Where zwave-js's mock Door Lock behaviour keeps the bolt (packages/zwave-js/src/lib/node/mockCCBehaviors/DoorLock.ts).
const doorLockModeKey = 'DoorLock_currentMode';

// Where zwave-js's mock User Code behaviour keeps a slot (packages/zwave-js/src/lib/node/mockCCBehaviors/UserCode.ts).
const codeKey = (slot: number) => `UserCode_userCode_${slot}`;
const statusKey = (slot: number) => `UserCode_userIdStatus_${slot}`;

const accessControl = 0x06;
const keypadUnlock = 0x06;
const invalidCredential = 0x32;
const userCodeDeleted = 0x0d;
const userCodeAdded = 0x0e;

function readSlots(node: MockNode, count: number): Record<number, string> {
  const out: Record<number, string> = {};
  for (let slot = 1; slot <= count; slot++) {
    const status = node.state.get(statusKey(slot));
    const code = node.state.get(codeKey(slot));
    const text = typeof code === 'string' ? code : code instanceof Uint8Array ? Buffer.from(code).toString('ascii') : '';
    out[slot] = status === UserIDStatus.Enabled || status === UserIDStatus.Disabled ? text : '';
  }
  return out;
}

function writeSlot(node: MockNode, slot: number, code: string) {
  node.state.set(statusKey(slot), code === '' ? UserIDStatus.Available : UserIDStatus.Enabled);
  node.state.set(codeKey(slot), code === '' ? undefined : code);
}

/** Counts the reads the lock answers (zwave-js's behaviours answer them). */
function readCounter(counter: { slots: number; checksums: number }): MockNodeBehavior {
  return {
    handleCC(_controller, _self, received) {
      if (received instanceof UserCodeCCGet) counter.slots++;
      else if (received instanceof UserCodeCCUserCodeChecksumGet) counter.checksums++;
      return undefined;
    },
  };
}

/** Drops the PINs a real lock's firmware would refuse: wrong length, or a PIN another slot holds. */
function firmwareRules(spec: MockLockSpec, counter: { sets: number }): MockNodeBehavior {
  const { min, max } = spec.acceptLengths ?? { min: 4, max: 10 };
  return {
    handleCC(_controller, self, received) {
      if (!(received instanceof UserCodeCCSet) && !(received instanceof UserCodeCCExtendedUserCodeSet)) return undefined;
      counter.sets++;
      if (!(received instanceof UserCodeCCSet)) return undefined;
      if (received.userIdStatus === UserIDStatus.Available) return undefined;
      const code = typeof received.userCode === 'string' ? received.userCode : Buffer.from(received.userCode).toString('ascii');
      const held = readSlots(self, spec.slots);
      const duplicate = Object.entries(held).some(([slot, pin]) => Number(slot) !== received.userId && pin === code);
      if (code.length < min || code.length > max || duplicate) return { action: 'ok' };
      return undefined;
    },
  };
}

/** Answers a status query for Access Control with "idle", as locks do (zwave-js's mock has no answer and times out). */
const notificationStatus: MockNodeBehavior = {
  handleCC(controller, _self, received) {
    if (!(received instanceof NotificationCCGet)) return undefined;
    const cc = new NotificationCCReport({ nodeId: controller.ownNodeId, notificationType: received.notificationType ?? accessControl, notificationEvent: 0, notificationStatus: 0xff });
    return { action: 'sendCC', cc };
  },
};

/** Bridges a MockPort to one TCP client at a time, re-chunking the byte stream into Serial API frames. */
async function serveOverTcp(mockPort: MockPort): Promise<Server> {
  const binding = await mockPort.factory()();
  let socket: Socket | undefined;
  void new ReadableStream(binding.source).pipeTo(new WritableStream({ write: (chunk: Uint8Array) => void socket?.write(chunk) })).catch(() => {});
  const sink = new WritableStream(binding.sink).getWriter();
  const server = createServer((sock) => {
    socket?.destroy();
    socket = sock;
    const parser = new SerialAPIParser();
    const parserWriter = parser.writable.getWriter();
    void parser.readable
      .pipeTo(
        new WritableStream({
          write(frame) {
            if (frame.type !== ZWaveSerialFrameType.SerialAPI) return;
            const data = typeof frame.data === 'number' ? Uint8Array.from([frame.data]) : frame.data;
            void sink.write(data).catch(() => {});
          },
        }),
      )
      .catch(() => {});
    sock.on('data', (chunk) => void parserWriter.write(chunk).catch(() => {}));
    sock.on('error', () => {});
    sock.on('close', () => {
      if (socket === sock) socket = undefined;
      void parserWriter.abort().catch(() => {});
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return server;
}

export async function startMockZwaveNetwork(specs: readonly MockLockSpec[]): Promise<MockZwaveNetwork> {
  const mockPort = new MockPort();
  const server = await serveOverTcp(mockPort);
  // The mock controller keeps a serial stream it never reads; give it one of its own.
  const { serial } = await createAndOpenMockedZWaveSerialPort();
  const controller = await MockController.create({ homeId: 0x7e570001, ownNodeId: 1, mockPort, serial });
  controller.defineBehavior(...createDefaultMockControllerBehaviors());

  const locks: MockLock[] = [];
  for (const spec of specs) {
    const counter = { sets: 0 };
    const reads = { slots: 0, checksums: 0 };
    const version = spec.userCodeVersion ?? 1;
    const node = await MockNode.create({
      id: spec.nodeId,
      controller,
      capabilities: {
        genericDeviceClass: 0x40,
        specificDeviceClass: 0x03,
        manufacturerId: 0x003b,
        productType: 0x0001,
        productId: 0x0468,
        commandClasses: [
          CommandClasses.Version,
          CommandClasses['Manufacturer Specific'],
          ccCaps({
            ccId: CommandClasses['User Code'],
            version,
            numUsers: spec.slots,
            supportedASCIIChars: '0123456789',
            supportsUserCodeChecksum: version >= 2 && spec.userCodeChecksum !== false,
          }),
          ...(spec.name ? [ccCaps({ ccId: CommandClasses['Node Naming and Location'], name: spec.name })] : []),
          ...(spec.doorLock === false
            ? []
            : [
                ccCaps({
                  ccId: CommandClasses['Door Lock'],
                  version: 4,
                  supportedOperationTypes: [DoorLockOperationType.Constant],
                  supportedDoorLockModes: [DoorLockMode.Unsecured, DoorLockMode.Secured],
                }),
              ]),
          ccCaps({
            ccId: CommandClasses.Notification,
            version: 8,
            supportsV1Alarm: false,
            notificationTypesAndEvents: { [accessControl]: [0x05, keypadUnlock, 0x0c, userCodeDeleted, userCodeAdded, 0x0f, invalidCredential] },
          }),
        ],
      },
    });
    controller.addNode(node);
    node.defineBehavior(...createDefaultMockNodeBehaviors());
    node.defineBehavior(notificationStatus, firmwareRules(spec, counter), readCounter(reads));
    for (const [slot, code] of Object.entries(spec.codes ?? {})) writeSlot(node, Number(slot), code);
    if (spec.doorLock !== false) node.state.set(doorLockModeKey, DoorLockMode.Secured);
    const notify = (event: number, slot: number) =>
      node.sendToController(
        createMockZWaveRequestFrame(new NotificationCCReport({ nodeId: controller.ownNodeId, notificationType: accessControl, notificationEvent: event, eventParameters: Uint8Array.from([slot]) }), {
          ackRequested: false,
        }),
      );
    locks.push({
      nodeId: spec.nodeId,
      slots: () => readSlots(node, spec.slots),
      get setCommands() {
        return counter.sets;
      },
      get reads() {
        return { ...reads };
      },
      changeSilently(slot, code) {
        writeSlot(node, slot, code);
      },
      async setAtKeypad(slot, code) {
        writeSlot(node, slot, code);
        await notify(code === '' ? userCodeDeleted : userCodeAdded, slot);
      },
      async unlockAtKeypad(slot) {
        await notify(keypadUnlock, slot);
      },
      async denyAtKeypad() {
        await notify(invalidCredential, 0);
      },
      locked: () => node.state.get(doorLockModeKey) === DoorLockMode.Secured,
    });
  }

  const { port } = server.address() as AddressInfo;
  return {
    serialPort: `tcp://127.0.0.1:${port}`,
    locks,
    lock(nodeId) {
      const found = locks.find((l) => l.nodeId === nodeId);
      if (!found) throw new Error(`No mock lock ${nodeId}`);
      return found;
    },
    async stop() {
      controller.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      mockPort.destroy();
      await serial.close().catch(() => {});
    },
  };
}
