import type { AccessCode } from './schemas';

/** Seam's `search`: a partial match on name, code or access_code_id (name case-insensitively). */
export function matchesSearch(code: Pick<AccessCode, 'name' | 'code' | 'access_code_id'>, search: string): boolean {
  const needle = search.toLowerCase();
  return (code.name ?? '').toLowerCase().includes(needle) || (code.code ?? '').includes(search) || code.access_code_id.includes(needle);
}
