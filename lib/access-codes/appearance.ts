import type { Device } from '../devices/schemas';
import type { Deps } from '../ports';
import type { AccessCode } from './schemas';

/** How a code is shown on its lock (Seam's `appearance`): the name the lock holds. */
export interface Appearance {
  name: string;
}

const PAD = '-';

/** The suffix that makes the n-th copy of a name unique, as " (2)". */
const copySuffix = (n: number) => ` (${n})`;

function fitLength(name: string, min: number, max: number): string {
  const cut = name.length > max ? name.slice(0, max).trimEnd() : name;
  return cut.length >= min ? cut : cut.padEnd(min, PAD);
}

/**
 * The name a lock can hold for `name`: cut to the lock's longest name, padded to its shortest,
 * and, where names must be unique on the lock, numbered apart from `namesOnLock`. `name`
 * itself is kept unchanged on the code; this is only what the lock shows.
 */
export function adaptName(device: Device, name: string, namesOnLock: readonly string[] = []): string {
  const lengthRule = device.properties.code_constraints.find((c) => c.constraint_type === 'name_length');
  const min = lengthRule?.constraint_type === 'name_length' ? (lengthRule.min_length ?? 0) : 0;
  const max = lengthRule?.constraint_type === 'name_length' ? (lengthRule.max_length ?? Infinity) : Infinity;
  const fitted = fitLength(name, min, max);
  const unique = device.properties.code_constraints.some((c) => c.constraint_type === 'name_must_be_unique');
  if (!unique) return fitted;
  const taken = new Set(namesOnLock.map((n) => n.toLowerCase()));
  if (!taken.has(fitted.toLowerCase())) return fitted;
  for (let n = 2; n < 10_000; n++) {
    const suffix = copySuffix(n);
    const candidate = fitLength(`${fitLength(name, 0, max - suffix.length)}${suffix}`, min, max);
    if (!taken.has(candidate.toLowerCase())) return candidate;
  }
  return fitted;
}

const needsOtherNames = (device: Device) => device.properties.code_constraints.some((c) => c.constraint_type === 'name_must_be_unique');

/** The names the lock shows for its other managed codes; read only for locks whose names must be unique. */
export async function namesOnLock(deps: Pick<Deps, 'accessCodes'>, device: Device, except?: string): Promise<string[]> {
  if (!needsOtherNames(device)) return [];
  const names: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.accessCodes.list(device.workspace_id, { deviceId: device.device_id, limit: 1000, cursor });
    for (const { access_code: c } of page.items) {
      if (c.access_code_id !== except && c.appearance) names.push(c.appearance.name);
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return names;
}

/** The appearance of a code named `name` on `device`, or null for a code without a name. */
export async function appearanceFor(deps: Pick<Deps, 'accessCodes'>, device: Device, name: string | null, except?: AccessCode['access_code_id']): Promise<Appearance | null> {
  if (name === null) return null;
  return { name: adaptName(device, name, await namesOnLock(deps, device, except)) };
}
