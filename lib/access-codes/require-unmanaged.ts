import { accessCodeNotFound } from '../errors';
import type { Deps } from '../ports';
import { type Principal, grantsDeviceId } from '../principals/principal';
import type { UnmanagedCodeRecord } from './unmanaged-schemas';

/** The unmanaged code, if the principal may touch its device; access_code_not_found otherwise. */
export async function requireUnmanaged(deps: Pick<Deps, 'unmanagedCodes' | 'devices'>, principal: Principal, accessCodeId: string): Promise<UnmanagedCodeRecord> {
  const record = await deps.unmanagedCodes.get(principal.workspace_id, accessCodeId);
  if (!record || !(await grantsDeviceId(deps, principal, record.access_code.device_id))) throw accessCodeNotFound();
  return record;
}
