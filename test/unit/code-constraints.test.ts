import { generatePin, isWeakPin, pinViolation } from '../../lib/devices/code-constraints';
import { buildSandboxDevices, sandboxModels } from '../../lib/providers/sandbox';
import type { Device } from '../../lib/devices/schemas';

let n = 0;
const devices = buildSandboxDevices('11111111-1111-4111-8111-111111111111', () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`, new Date());
const device = (type: string): Device => {
  const d = devices.find((r) => r.device.device_type === type);
  if (!d) throw new Error(type);
  return d.device;
};

describe('pinViolation', () => {
  it('enforces the supported lengths', () => {
    expect(pinViolation(device('schlage_lock'), '12345')).toBe('Must be 4 digits long on this device');
    expect(pinViolation(device('schlage_lock'), '4829')).toBeUndefined();
    expect(pinViolation(device('kwikset_lock'), '482913')).toBeUndefined();
  });

  it('enforces Nuki-like rules: six digits, no zeros, not starting with 12', () => {
    const nuki = device('nuki_lock');
    expect(pinViolation(nuki, '480913')).toBe('Must not contain the digit 0 on this device');
    expect(pinViolation(nuki, '124893')).toBe('Must not start with 12 on this device');
    expect(pinViolation(nuki, '482915')).toBeUndefined();
  });

  it('enforces Tedee-like rules: three distinct digits and no runs', () => {
    const tedee = device('tedee_lock');
    expect(pinViolation(tedee, '11212')).toBe('Must contain at least three different digits on this device');
    expect(pinViolation(tedee, '91234')).toBe('Must not contain an ascending or descending sequence on this device');
    expect(pinViolation(tedee, '97531')).toBeUndefined();
  });

  it('never puts the PIN in its message', () => {
    for (const pin of ['0000', '123456789', '120000']) {
      for (const d of devices) expect(pinViolation(d.device, pin) ?? '').not.toContain(pin);
    }
  });
});

describe('isWeakPin', () => {
  it.each(['1234', '0000', '9999', '4321', '123456', '121212', '1985', '2024', '3456'])('rejects %s', (pin) => {
    expect(isWeakPin(pin)).toBe(true);
  });
  it.each(['4829', '73914', '582941'])('accepts %s', (pin) => {
    expect(isWeakPin(pin)).toBe(false);
  });
});

describe('generatePin', () => {
  it.each(sandboxModels.map((m) => m.deviceType))('satisfies every constraint of the %s sandbox lock', (type) => {
    const d = device(type);
    for (let i = 0; i < 200; i++) {
      const pin = generatePin(d, []);
      expect(pin).toBeDefined();
      expect(pinViolation(d, pin ?? '')).toBeUndefined();
      expect(isWeakPin(pin ?? '')).toBe(false);
    }
  });

  it('uses the preferred length when the device supports it, else the shortest', () => {
    expect(generatePin(device('kwikset_lock'), [], 7)).toHaveLength(7);
    expect(generatePin(device('kwikset_lock'), [], 11)).toHaveLength(4);
  });

  it('avoids PINs in use and says when none is left', () => {
    const tiny: Device = { ...device('schlage_lock'), properties: { ...device('schlage_lock').properties, supported_code_lengths: [4] } };
    const all = Array.from({ length: 10_000 }, (_, i) => String(i).padStart(4, '0'));
    const free = all.filter((p) => !isWeakPin(p)).slice(0, 1);
    const inUse = all.filter((p) => !free.includes(p));
    expect(generatePin(tiny, inUse)).toBe(free[0]);
    expect(generatePin(tiny, all)).toBeUndefined();
  });

  it('never hands out a PIN in use, whether a lock is nearly empty or half full', () => {
    const tiny: Device = { ...device('schlage_lock'), properties: { ...device('schlage_lock').properties, supported_code_lengths: [4] } };
    const all = Array.from({ length: 10_000 }, (_, i) => String(i).padStart(4, '0'));
    for (const inUse of [all.slice(0, 3), all.filter((_, i) => i % 2 === 0), all.filter((_, i) => i % 10 !== 0)]) {
      const held = new Set(inUse);
      for (let i = 0; i < 200; i++) expect(held.has(generatePin(tiny, inUse) ?? '')).toBe(false);
    }
  });
});
