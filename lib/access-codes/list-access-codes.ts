import type { Deps } from '../ports';
import { type Principal, grantedDeviceIds } from '../principals/principal';
import { requireDevice } from './assign-pin';
import { inPool, withBackupAvailability } from './backup-pool';
import { matchesSearch } from './search';
import type { AccessCode, ListAccessCodesInput } from './schemas';

/** Managed codes of the workspace, one device's, or the listed ones; paginated by cursor. */
export async function listAccessCodes(
  deps: Pick<Deps, 'accessCodes' | 'devices'>,
  principal: Principal,
  input: ListAccessCodesInput,
): Promise<{ access_codes: AccessCode[]; next_page_cursor: string | null }> {
  const workspaceId = principal.workspace_id;
  // A client session sees only codes on its devices; a page may come back shorter than `limit`.
  const granted = await grantedDeviceIds(deps, principal);
  const visible = (c: AccessCode) => granted === undefined || granted.has(c.device_id);
  if (input.access_code_ids !== undefined) {
    const records = await deps.accessCodes.getMany(workspaceId, input.access_code_ids);
    const codes = (
      await withBackupAvailability(
        deps,
        records.filter((r) => !inPool(r)),
      )
    )
      .filter(visible)
      .filter((c) => input.device_id === undefined || c.device_id === input.device_id)
      .filter((c) => input.search === undefined || matchesSearch(c, input.search));
    return { access_codes: codes, next_page_cursor: null };
  }
  if (input.device_id !== undefined) await requireDevice(deps, principal, input.device_id);
  const page = await deps.accessCodes.list(workspaceId, {
    deviceId: input.device_id,
    search: input.search,
    limit: input.limit,
    cursor: input.page_cursor,
  });
  // Backups waiting in their pool are hidden, as Seam hides them; a page may come back shorter.
  return {
    access_codes: (
      await withBackupAvailability(
        deps,
        page.items.filter((r) => !inPool(r)),
      )
    ).filter(visible),
    next_page_cursor: page.nextCursor,
  };
}
