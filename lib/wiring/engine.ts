import type { EngineSide } from '../deps';
import { lifecycleEngine } from '../engine/engine';

/**
 * The engine as inbound reports and use cases reach it, driving the lock side. Only the entries of
 * functions whose table entry takes engine steps (`followUps`) import it; a cold start checks
 * that the two agree.
 */
export const engine: EngineSide = (app) => lifecycleEngine(app);
