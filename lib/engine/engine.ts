import type { Engine } from '../ports';
import { discoverCodes } from './discover';
import { type EntryDeps, recordEntry } from './entries';
import { type EngineDeps, reconcileAccessCode } from './reconcile';

/**
 * The engine as inbound lock reports and use cases reach it (the `engine` port). `deps` is
 * read at each call, so the engine can be wired into the very deps it works on.
 */
export function lifecycleEngine(deps: () => EngineDeps & EntryDeps): Engine {
  return {
    lookNow: (workspaceId, accessCodeId, device) => reconcileAccessCode(deps(), workspaceId, accessCodeId, { dueNow: true, ...(device && { device: async () => device }) }),
    discover: (device) => discoverCodes(deps(), device),
    recordEntry: (device, report) => recordEntry(deps(), device, report),
  };
}
