import { InvalidInputError } from '../errors';
import type { Deps } from '../ports';
import type { Principal } from '../principals/principal';
import { convertToManaged } from './convert-to-managed';
import type { UpdateUnmanagedInput } from './unmanaged-schemas';

/**
 * Seam's /access_codes/unmanaged/update: with `is_managed: true`, the code becomes managed (as
 * convert_to_managed); an unmanaged code cannot be made more unmanaged.
 */
export async function updateUnmanagedCode(deps: Pick<Deps, 'unmanagedCodes' | 'accessCodes' | 'devices' | 'clock'>, principal: Principal, input: UpdateUnmanagedInput): Promise<void> {
  if (!input.is_managed) throw InvalidInputError.forField('is_managed', 'The code is unmanaged already; set is_managed to true to manage it');
  await convertToManaged(deps, principal, input);
}
