import { InvalidInputError, eventNotFound } from '../errors';
import type { Deps } from '../ports';
import { type Principal, grantedDeviceIds, grantsDeviceId } from '../principals/principal';
import type { ListEventsInput, SeamEvent } from './schemas';

export async function getEvent(deps: Pick<Deps, 'events' | 'devices'>, principal: Principal, eventId: string): Promise<SeamEvent> {
  const event = await deps.events.get(principal.workspace_id, eventId);
  if (!event || !(await grantsDeviceId(deps, principal, event.device_id))) throw eventNotFound();
  return event;
}

/** Events the principal may see, newest first. Seam requires a time bound: `since` or `between`. */
export async function listEvents(deps: Pick<Deps, 'events' | 'devices'>, principal: Principal, input: ListEventsInput): Promise<SeamEvent[]> {
  if (input.since === undefined && input.between === undefined) {
    throw new InvalidInputError('Must specify either since or between');
  }
  const granted = await grantedDeviceIds(deps, principal);
  if (granted === undefined) return deps.events.list(principal.workspace_id, input);
  // A client session's grant narrows the device filter, so the store applies it before the limit.
  const deviceIds = [...granted].filter((id) => (input.device_ids ?? [id]).includes(id) && (input.device_id ?? id) === id);
  if (deviceIds.length === 0) return [];
  return deps.events.list(principal.workspace_id, { ...input, device_ids: deviceIds });
}
