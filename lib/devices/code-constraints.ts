import { randomInt } from 'node:crypto';
import type { CodeConstraint, Device } from './schemas';

/** PINs people guess first: never generated, even where a lock would accept them. */
const commonPins = new Set([
  '1234',
  '1111',
  '0000',
  '1212',
  '7777',
  '1004',
  '2000',
  '4444',
  '2222',
  '6969',
  '9999',
  '3333',
  '5555',
  '6666',
  '1122',
  '1313',
  '8888',
  '4321',
  '2001',
  '1010',
  '2580',
  '0852',
  '1379',
  '1590',
  '1357',
  '2468',
  '0123',
  '1230',
  '123123',
  '112233',
  '121212',
  '654321',
  '123321',
  '159753',
  '147258',
  '258369',
  '696969',
  '111222',
  '789456',
  '12345678',
  '11223344',
  '87654321',
]);

const isStraightRun = (pin: string, step: 1 | -1): boolean => [...pin].every((d, i) => i === 0 || Number(d) === (Number(pin[i - 1]) + step + 10) % 10);

const hasRunOfThree = (pin: string): boolean => {
  for (let i = 2; i < pin.length; i++) {
    const [a, b, c] = [Number(pin[i - 2]), Number(pin[i - 1]), Number(pin[i])];
    if ((b === a + 1 && c === b + 1) || (b === a - 1 && c === b - 1)) return true;
  }
  return false;
};

const allSameDigit = (pin: string): boolean => /^(\d)\1*$/.test(pin);

/** True for PINs that are easy to guess: one digit, a straight run, a short repeated pattern, a year. */
export function isWeakPin(pin: string): boolean {
  if (commonPins.has(pin) || allSameDigit(pin) || isStraightRun(pin, 1) || isStraightRun(pin, -1)) return true;
  if (/^(\d{1,3})\1+$/.test(pin)) return true;
  if (pin.length === 4 && /^(19|20)\d\d$/.test(pin)) return true;
  return false;
}

const pinRules: Partial<Record<CodeConstraint['constraint_type'], { test: (pin: string) => boolean; message: string }>> = {
  no_zeros: { test: (p) => !p.includes('0'), message: 'Must not contain the digit 0 on this device' },
  cannot_start_with_12: { test: (p) => !p.startsWith('12'), message: 'Must not start with 12 on this device' },
  no_triple_consecutive_ints: { test: (p) => !hasRunOfThree(p), message: 'Must not contain three consecutive digits such as 123 or 321 on this device' },
  no_ascending_or_descending_sequence: {
    test: (p) => !isStraightRun(p, 1) && !isStraightRun(p, -1) && !hasRunOfThree(p),
    message: 'Must not contain an ascending or descending sequence on this device',
  },
  at_least_three_unique_digits: { test: (p) => new Set(p).size >= 3, message: 'Must contain at least three different digits on this device' },
  cannot_contain_089: { test: (p) => !/[089]/.test(p), message: 'Must not contain the digits 0, 8 or 9 on this device' },
  cannot_contain_0789: { test: (p) => !/[0789]/.test(p), message: 'Must not contain the digits 0, 7, 8 or 9 on this device' },
  no_all_same_digits: { test: (p) => !allSameDigit(p), message: 'Must not be one digit repeated on this device' },
};

/**
 * Why a PIN cannot be used on a device, or undefined when it can. Messages name the rule,
 * never the PIN. `pinsInUse` are the other PINs on the device (for unique_first_four_digits).
 */
export function pinViolation(device: Device, pin: string, pinsInUse: readonly string[] = []): string | undefined {
  const { supported_code_lengths: lengths, code_constraints: constraints } = device.properties;
  if (!lengths.includes(pin.length)) {
    return `Must be ${lengths.join(', ')} digits long on this device`;
  }
  for (const constraint of constraints) {
    if (constraint.constraint_type === 'unique_first_four_digits' && pinsInUse.some((p) => p.slice(0, 4) === pin.slice(0, 4))) {
      return 'Must differ from every other code on this device in its first four digits';
    }
    const rule = pinRules[constraint.constraint_type];
    if (rule && !rule.test(pin)) return rule.message;
  }
  return undefined;
}

/** Locks such as Salto or dormakaba pick the PIN themselves: a client may not choose one. */
export const acceptsChosenPin = (device: Device): boolean => !device.properties.code_constraints.some((c) => c.constraint_type === 'cannot_specify_pin_code');

/** A uniformly random PIN of `length` digits: one draw over the whole space where randomInt can take it (below 2^48), else a draw a digit. */
const randomPin = (length: number): string => (length <= 14 ? String(randomInt(10 ** length)).padStart(length, '0') : Array.from({ length }, () => String(randomInt(10))).join(''));

/**
 * Whether a PIN is among `pinsInUse`. Most draws need one or two looks, and a scan of even
 * thousands of PINs costs far less than hashing them all into a set (about 800 µs for 6,000),
 * so the set is built only once a lock is so full that draws keep hitting held PINs.
 */
function inUseLookup(pinsInUse: readonly string[]): (pin: string) => boolean {
  let looks = 0;
  let set: Set<string> | undefined;
  return (pin) => {
    if (set === undefined && ++looks > 4) set = new Set(pinsInUse);
    return set === undefined ? pinsInUse.includes(pin) : set.has(pin);
  };
}

/** The lengths a generated PIN tries, in order: `preferredLength` when the device supports it, then the others from the shortest. */
export function pinLengths(device: Device, preferredLength?: number): number[] {
  const lengths = [...device.properties.supported_code_lengths].sort((a, b) => a - b);
  return preferredLength !== undefined && lengths.includes(preferredLength) ? [preferredLength, ...lengths.filter((l) => l !== preferredLength)] : lengths;
}

/**
 * Up to `count` different random PINs of `length` that the device's rules accept and that are
 * not weak, whoever holds them (so not for `unique_first_four_digits`, which needs the other PINs).
 */
export function pinCandidates(device: Device, length: number, count: number): string[] {
  const found = new Set<string>();
  for (let draw = 0; draw < count * 25 && found.size < count; draw++) {
    const pin = randomPin(length);
    if (!isWeakPin(pin) && pinViolation(device, pin) === undefined) found.add(pin);
  }
  return [...found];
}

/** Whether the device's PINs must differ in their first four digits: checking one needs the others. */
export const needsPinsInUse = (device: Device): boolean => device.properties.code_constraints.some((c) => c.constraint_type === 'unique_first_four_digits');

/**
 * A PIN that the device accepts, that no managed code on it holds, and that is not weak.
 * Uses `preferredLength` when the device supports it, else its shortest length.
 * Returns undefined only when no such PIN could be found.
 */
export function generatePin(device: Device, pinsInUse: readonly string[], preferredLength?: number): string | undefined {
  const inUse = inUseLookup(pinsInUse);
  const usable = (pin: string) => !inUse(pin) && !isWeakPin(pin) && pinViolation(device, pin, pinsInUse) === undefined;
  for (const length of pinLengths(device, preferredLength)) {
    for (let attempt = 0; attempt < 200; attempt++) {
      const pin = randomPin(length);
      if (usable(pin)) return pin;
    }
    // A nearly full lock: random draws rarely hit the few PINs left, so walk them all once.
    if (length <= 6) {
      const space = 10 ** length;
      const start = randomInt(space);
      for (let i = 0; i < space; i++) {
        const pin = String((start + i) % space).padStart(length, '0');
        if (usable(pin)) return pin;
      }
    }
  }
  return undefined;
}
