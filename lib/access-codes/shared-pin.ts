import { acceptsChosenPin, generatePin } from '../devices/code-constraints';
import type { Device } from '../devices/schemas';

/**
 * One lock's rules merged from several: the lengths all of them accept and every constraint
 * of each, so a PIN that fits it fits every one of them.
 */
function mergedRules(devices: readonly Device[]): Device | undefined {
  const [first] = devices;
  if (!first || !devices.every(acceptsChosenPin)) return undefined;
  const lengths = first.properties.supported_code_lengths.filter((l) => devices.every((d) => d.properties.supported_code_lengths.includes(l)));
  if (lengths.length === 0) return undefined;
  const constraints = devices.flatMap((d) => d.properties.code_constraints);
  return { ...first, properties: { ...first.properties, supported_code_lengths: lengths, code_constraints: constraints } };
}

/** A PIN every one of `devices` accepts and none of them holds, or undefined when there is none. */
export function sharedPin(devices: readonly Device[], pinsInUse: readonly string[], preferredLength?: number): string | undefined {
  const merged = mergedRules(devices);
  return merged && generatePin(merged, pinsInUse, preferredLength);
}

/**
 * The devices that can share one PIN, taken in order: each joins while a PIN still fits all
 * of the group. The rest must get PINs of their own.
 */
export function sharingGroup(devices: readonly Device[]): { sharing: Device[]; apart: Device[] } {
  const sharing: Device[] = [];
  const apart: Device[] = [];
  for (const device of devices) {
    if (mergedRules([...sharing, device])) sharing.push(device);
    else apart.push(device);
  }
  return { sharing, apart };
}
