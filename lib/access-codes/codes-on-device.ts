import type { Deps } from '../ports';
import type { AccessCodeRecord } from './schemas';
import type { UnmanagedCodeRecord } from './unmanaged-schemas';

/** Every managed code of a device (its codes listing, page by page). */
export async function codesOnDevice(deps: Pick<Deps, 'accessCodes'>, workspaceId: string, deviceId: string): Promise<AccessCodeRecord[]> {
  const records: AccessCodeRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.accessCodes.list(workspaceId, { deviceId, limit: 1000, cursor });
    records.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return records;
}

/** Every unmanaged code known on a device. */
export async function unmanagedOnDevice(deps: Pick<Deps, 'unmanagedCodes'>, workspaceId: string, deviceId: string): Promise<UnmanagedCodeRecord[]> {
  const records: UnmanagedCodeRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.unmanagedCodes.listByDevice(workspaceId, deviceId, { limit: 1000, cursor });
    records.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return records;
}
