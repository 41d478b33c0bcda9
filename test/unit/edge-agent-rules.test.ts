import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEdgeConfig, lockSettings } from '../../edge/config';
import { boltToApply, slotsToApply } from '../../edge/lock-sync';
import { accessControlEvent } from '../../edge/zwave-link';

const lock = (slots: Record<number, string>) => new Map(Object.entries(slots).map(([k, v]) => [Number(k), v]));
const stamps = (entries: Record<string, number>) => Object.fromEntries(Object.entries(entries).map(([k, t]) => [k, { timestamp: t }]));

describe('which desired slots the agent writes', () => {
  const base = {
    managedSlots: 5,
    lock: lock({ 1: '', 2: '1111', 3: '' }),
    reportedStamps: new Map([
      [1, 10],
      [2, 10],
      [3, 10],
    ]),
    acted: new Map(),
  };

  test('what Latchkey asked for since the lock last reported, and nothing the lock already holds', () => {
    expect(slotsToApply({ ...base, desired: { '1': '4821', '2': '1111', '3': '' }, desiredStamps: stamps({ '1': 11, '2': 11, '3': 11 }) })).toEqual([{ slot: 1, code: '4821', at: 11 }]);
  });

  test('not a slot changed at the keypad after Latchkey last wrote it (reported is newer), unless Latchkey writes it again', () => {
    const keypad = { ...base, lock: lock({ 1: '9999' }), reportedStamps: new Map([[1, 20]]) };
    expect(slotsToApply({ ...keypad, desired: { '1': '4821' }, desiredStamps: stamps({ '1': 15 }) })).toEqual([]);
    expect(slotsToApply({ ...keypad, desired: { '1': '4821' }, desiredStamps: stamps({ '1': 21 }) })).toEqual([{ slot: 1, code: '4821', at: 21 }]);
  });

  test('each desired value once: a refused PIN is not retried, a keypad change in the same second is not reverted', () => {
    const acted = new Map([[1, { code: '4821', at: 11 }]]);
    expect(slotsToApply({ ...base, acted, desired: { '1': '4821' }, desiredStamps: stamps({ '1': 11 }) })).toEqual([]);
    expect(slotsToApply({ ...base, acted, desired: { '1': '4821' }, desiredStamps: stamps({ '1': 12 }) })).toEqual([{ slot: 1, code: '4821', at: 12 }]);
  });

  test('never a slot beyond those it manages', () => {
    expect(slotsToApply({ ...base, desired: { '6': '1234', x: '1' }, desiredStamps: stamps({ '6': 99 }) })).toEqual([]);
  });
});

test('Access Control notifications become keypad events with their slot', () => {
  expect(accessControlEvent(5, 6, 6, { userId: 3 })).toEqual({ type: 'keypad_unlock', nodeId: 5, slot: 3 });
  expect(accessControlEvent(5, 6, 0x32, {})).toEqual({ type: 'keypad_denied', nodeId: 5 });
  expect(accessControlEvent(5, 6, 0x0e, { userId: 2 })).toEqual({ type: 'slot_changed', nodeId: 5, slot: 2 });
  expect(accessControlEvent(5, 6, 0x0d, undefined)).toEqual({ type: 'all_slots_changed', nodeId: 5 });
  expect(accessControlEvent(5, 6, 0x0c, undefined)).toEqual({ type: 'all_slots_changed', nodeId: 5 });
  expect(accessControlEvent(5, 7, 6, { userId: 3 })).toBeUndefined();
});

describe('the agent configuration', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edge-config-'));
  const file = join(dir, 'edge.json');
  writeFileSync(
    file,
    JSON.stringify({
      thing_name: 'latchkey-hub-x',
      mqtt_url: 'mqtts://abc-ats.iot.eu-west-1.amazonaws.com:8883',
      cert_file: 'c.pem',
      key_file: 'k.pem',
      zwave: { serial_port: '/dev/ttyACM0' },
      locks: { '7': { code_lengths: { min: 4, max: 4 } } },
    }),
  );

  test('reads the file, lays the environment over it, and keeps per-lock settings', () => {
    const config = loadEdgeConfig(file, { LATCHKEY_EDGE_SERIAL_PORT: 'tcp://10.0.0.2:3333', LATCHKEY_EDGE_S2_ACCESS_CONTROL_KEY: 'ab'.repeat(16) });
    expect(config).toMatchObject({ zwave: { serial_port: 'tcp://10.0.0.2:3333' }, security_keys: { S2_AccessControl: 'ab'.repeat(16) }, max_slots: 30, cache_dir: '.latchkey-edge' });
    expect(lockSettings(config, 7)).toEqual({ maxSlots: 30, codeLengths: { min: 4, max: 4 } });
    expect(lockSettings(config, 8)).toEqual({ maxSlots: 30, codeLengths: { min: 4, max: 8 } });
  });

  test('names each bad setting, and never echoes a key', () => {
    const secret = 'zz'.repeat(16);
    let message = '';
    try {
      loadEdgeConfig(undefined, { LATCHKEY_EDGE_THING_NAME: 'hub', LATCHKEY_EDGE_MQTT_URL: 'mqtts://x:8883', LATCHKEY_EDGE_SERIAL_PORT: '/dev/x', LATCHKEY_EDGE_S0_LEGACY_KEY: secret });
    } catch (error) {
      message = error instanceof Error ? error.message : '';
    }
    expect(message).toContain('cert_file');
    expect(message).toContain('security_keys.S0_Legacy');
    expect(message).not.toContain(secret);
  });
});

describe('which bolt request the agent carries out', () => {
  const base = { desired: { request: 'a1', locked: false }, requestedAt: 1000, answered: undefined, acted: undefined, nowSeconds: 1010 };
  it('a new request written less than a minute ago', () => {
    expect(boltToApply(base)).toEqual({ request: 'a1', locked: false });
  });
  it('never one already answered or acted on, one without its bolt state, or one that waited past a minute (a late unlock never opens the door)', () => {
    expect(boltToApply({ ...base, answered: 'a1' })).toBeUndefined();
    expect(boltToApply({ ...base, acted: 'a1' })).toBeUndefined();
    expect(boltToApply({ ...base, desired: { request: 'a1' } })).toBeUndefined();
    expect(boltToApply({ ...base, desired: undefined })).toBeUndefined();
    expect(boltToApply({ ...base, nowSeconds: 1061 })).toBeUndefined();
    expect(boltToApply({ ...base, requestedAt: undefined })).toBeUndefined();
  });
});
