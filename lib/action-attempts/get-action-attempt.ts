import * as z from 'zod';
import { actionAttemptNotFound } from '../errors';
import type { Deps } from '../ports';
import { type Principal, grantsDeviceId } from '../principals/principal';
import type { ActionAttempt, ActionAttemptRecord } from './schemas';

const resultDeviceSchema = z.object({ access_code: z.object({ device_id: z.string() }) });

/** The device an attempt acted on: recorded with it, else named by its result. */
const attemptDeviceId = (record: ActionAttemptRecord): string | undefined => record.device_id ?? resultDeviceSchema.safeParse(record.action_attempt.result).data?.access_code.device_id;

export async function getActionAttempt(deps: Pick<Deps, 'actionAttempts' | 'devices'>, principal: Principal, actionAttemptId: string): Promise<ActionAttempt> {
  const record = await deps.actionAttempts.get(principal.workspace_id, actionAttemptId);
  if (!record) throw actionAttemptNotFound();
  // A client session sees only attempts on its devices; one whose device is unknown stays hidden from it.
  if (principal.kind === 'client_session') {
    const deviceId = attemptDeviceId(record);
    if (deviceId === undefined || !(await grantsDeviceId(deps, principal, deviceId))) throw actionAttemptNotFound();
  }
  return record.action_attempt;
}
