import { runInThisContext } from 'node:vm';

/*
 * Seam's own webhook verifier, as receivers use it. @seamapi/webhook is ESM only, which Jest's
 * CommonJS runtime cannot load; Node's own loader (20.19+ require()s ES modules) loads it
 * outside Jest's registry, untransformed, as in test/e2e/seam-clients.ts.
 */
const nodeProcess = runInThisContext('process') as NodeJS.Process;
const nodeRequire = nodeProcess.getBuiltinModule('node:module').createRequire(__filename);

export type SeamWebhookModule = typeof import('@seamapi/webhook');
export const seamWebhook = (): SeamWebhookModule => nodeRequire('@seamapi/webhook') as SeamWebhookModule;
