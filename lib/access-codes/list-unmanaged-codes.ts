import type { Deps } from '../ports';
import type { Principal } from '../principals/principal';
import { requireDevice } from './assign-pin';
import { unmanagedOnDevice } from './codes-on-device';
import { matchesSearch } from './search';
import type { ListUnmanagedInput } from './unmanaged-schemas';

/** A device's unmanaged codes as last discovered: read from the table only, never from the lock. */
export async function listUnmanagedCodes(deps: Pick<Deps, 'unmanagedCodes' | 'devices'>, principal: Principal, input: ListUnmanagedInput) {
  await requireDevice(deps, principal, input.device_id);
  if (input.search === undefined) {
    const page = await deps.unmanagedCodes.listByDevice(principal.workspace_id, input.device_id, { limit: input.limit, cursor: input.page_cursor });
    return { access_codes: page.items.map((r) => r.access_code), next_page_cursor: page.nextCursor };
  }
  const search = input.search;
  const all = await unmanagedOnDevice(deps, principal.workspace_id, input.device_id);
  return {
    access_codes: all
      .map((r) => r.access_code)
      .filter((c) => matchesSearch(c, search))
      .slice(0, input.limit),
    next_page_cursor: null,
  };
}
