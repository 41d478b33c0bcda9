import { accessCodeNotFound } from '../errors';
import type { Deps } from '../ports';
import { type Principal, grantsDeviceId } from '../principals/principal';
import { shownCode } from './backup-pool';
import type { AccessCode, GetAccessCodeInput } from './schemas';

/** One managed code, by id or by device and PIN. One read when fetched by id. */
export async function getAccessCode(deps: Pick<Deps, 'accessCodes' | 'devices'>, principal: Principal, input: GetAccessCodeInput): Promise<AccessCode> {
  const workspaceId = principal.workspace_id;
  const record =
    input.access_code_id !== undefined
      ? await deps.accessCodes.get(workspaceId, input.access_code_id)
      : input.device_id !== undefined && input.code !== undefined
        ? await deps.accessCodes.getByPin(workspaceId, input.device_id, input.code)
        : undefined;
  const matches = record !== undefined && (input.device_id === undefined || record.access_code.device_id === input.device_id) && (input.code === undefined || record.access_code.code === input.code);
  if (!matches || !(await grantsDeviceId(deps, principal, record.access_code.device_id))) throw accessCodeNotFound();
  return shownCode(deps, record);
}
