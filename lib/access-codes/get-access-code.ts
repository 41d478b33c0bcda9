import { accessCodeNotFound } from '../errors';
import type { Deps } from '../ports';
import { type Principal, grantsDeviceId } from '../principals/principal';
import { shownCode } from './backup-pool';
import type { AccessCode, AccessCodeRecord, GetAccessCodeInput } from './schemas';

/**
 * The code holding a PIN now, else the next to hold it, else the last that did: the PIN's
 * holders follow each other in time (pin-holders.ts).
 */
function holderNow(records: readonly AccessCodeRecord[], nowIso: string): AccessCodeRecord | undefined {
  const byStart = [...records].sort((a, b) => (a.access_code.starts_at ?? '').localeCompare(b.access_code.starts_at ?? ''));
  return byStart.find((r) => r.access_code.ends_at === undefined || r.access_code.ends_at > nowIso) ?? byStart.at(-1);
}

/** One managed code, by id or by device and PIN. One read when fetched by id. */
export async function getAccessCode(deps: Pick<Deps, 'accessCodes' | 'devices' | 'clock'>, principal: Principal, input: GetAccessCodeInput): Promise<AccessCode> {
  const workspaceId = principal.workspace_id;
  const record =
    input.access_code_id !== undefined
      ? await deps.accessCodes.get(workspaceId, input.access_code_id)
      : input.device_id !== undefined && input.code !== undefined
        ? holderNow(await deps.accessCodes.listByPin(workspaceId, input.device_id, input.code), deps.clock.now().toISOString())
        : undefined;
  const matches = record !== undefined && (input.device_id === undefined || record.access_code.device_id === input.device_id) && (input.code === undefined || record.access_code.code === input.code);
  if (!matches || !(await grantsDeviceId(deps, principal, record.access_code.device_id))) throw accessCodeNotFound();
  return shownCode(deps, record);
}
