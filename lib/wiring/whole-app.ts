import { createMemoryStores } from '../adapters/memory-stores';
import { memorySecretStore } from '../adapters/memory-connected-accounts';
import type { Config } from '../config';
import { type AppDeps, composeApp, type LocalParts, type Pieces } from '../deps';
import { memoryKeypadStore } from '../providers/sandbox';
import { engine } from './engine';
import { locks } from './locks';

/** The memory store (LATCHKEY_STORE=memory): local mode's and the tests' backend, never a Lambda's. */
const memory: Pieces['memory'] = (cfg, parts) => ({
  ...createMemoryStores({ codeHistoryDays: cfg.LATCHKEY_CODE_HISTORY_DAYS, outbox: parts.outbox }),
  keypads: parts.keypads ?? memoryKeypadStore(),
  secrets: memorySecretStore(),
});

/**
 * The whole application, every piece wired, through the one composition root: for `npm start`,
 * the CLI and tests, which serve every function in one process.
 */
export function buildDeps(cfg: Config, overrides: Partial<AppDeps> = {}, parts: LocalParts = {}): AppDeps {
  return composeApp(cfg, { locks, engine, memory }, overrides, parts);
}
