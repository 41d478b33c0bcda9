import { accessCodeNotFound } from '../errors';
import type { Deps } from '../ports';
import type { AccessCode, GetAccessCodeInput } from './schemas';

/** One managed code, by id or by device and PIN. One read when fetched by id. */
export async function getAccessCode(deps: Pick<Deps, 'accessCodes'>, workspaceId: string, input: GetAccessCodeInput): Promise<AccessCode> {
  const record =
    input.access_code_id !== undefined
      ? await deps.accessCodes.get(workspaceId, input.access_code_id)
      : input.device_id !== undefined && input.code !== undefined
        ? await deps.accessCodes.getByPin(workspaceId, input.device_id, input.code)
        : undefined;
  const matches =
    record !== undefined &&
    (input.device_id === undefined || record.access_code.device_id === input.device_id) &&
    (input.code === undefined || record.access_code.code === input.code);
  if (!matches) throw accessCodeNotFound();
  return record.access_code;
}
