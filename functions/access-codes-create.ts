import { awaitCreatedCode } from '../lib/access-codes/await-created-code';
import { createAccessCode } from '../lib/access-codes/create-access-code';
import { createAccessCodeInputSchema } from '../lib/access-codes/schemas';
import { appDeps, type LockDeps } from '../lib/deps';
import { locks } from '../lib/wiring/locks';
import { seamRoute } from '../lib/http/seam-route';

export const makeHandler = (deps: LockDeps) =>
  seamRoute('/access_codes/create', createAccessCodeInputSchema, deps, async (input, { principal }) => {
    const created = await createAccessCode(deps, principal, input);
    return input.sync ? awaitCreatedCode(deps, principal, created) : created;
  });

export const handler = makeHandler(appDeps(locks));
