import { InvalidInputError, eventNotFound } from '../errors';
import type { Deps } from '../ports';
import type { ListEventsInput, SeamEvent } from './schemas';

export async function getEvent(deps: Pick<Deps, 'events'>, workspaceId: string, eventId: string): Promise<SeamEvent> {
  const event = await deps.events.get(workspaceId, eventId);
  if (!event) throw eventNotFound();
  return event;
}

/** Events of the workspace, newest first. Seam requires a time bound: `since` or `between`. */
export async function listEvents(deps: Pick<Deps, 'events'>, workspaceId: string, input: ListEventsInput): Promise<SeamEvent[]> {
  if (input.since === undefined && input.between === undefined) {
    throw new InvalidInputError('Must specify either since or between');
  }
  return deps.events.list(workspaceId, input);
}
