import { type AppDeps, appDeps } from '../lib/deps';
import { engine } from '../lib/wiring/engine';
import { locks } from '../lib/wiring/locks';
import { seamRoute } from '../lib/http/seam-route';
import { simulateKeypadEntry } from '../lib/locks/simulate-keypad-entry';
import { simulateKeypadEntryInputSchema } from '../lib/locks/schemas';

export const makeHandler = (deps: AppDeps) =>
  seamRoute('/locks/simulate/keypad_code_entry', simulateKeypadEntryInputSchema, deps, async (input, { principal }) => ({
    action_attempt: await simulateKeypadEntry(deps, principal, input),
  }));

export const handler = makeHandler(appDeps(locks, engine));
