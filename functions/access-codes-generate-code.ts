import { generateCode } from '../lib/access-codes/generate-code';
import { generateCodeInputSchema } from '../lib/access-codes/schemas';
import { appDeps, type CoreDeps } from '../lib/deps';
import { seamRoute } from '../lib/http/seam-route';

export const makeHandler = (deps: CoreDeps) =>
  seamRoute('/access_codes/generate_code', generateCodeInputSchema, deps, async (input, { principal }) => ({
    generated_code: await generateCode(deps, principal, input),
  }));

export const handler = makeHandler(appDeps());
