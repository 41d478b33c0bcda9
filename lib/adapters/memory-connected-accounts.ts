import type { ConnectedAccountRecord } from '../connected-accounts/schemas';
import type { Written } from '../idempotency/unit-of-work';
import type { ConnectedAccountRepository, SecretStore } from '../ports';
import { copy } from './memory-copy';

/** Connected accounts in memory, for unit tests and LATCHKEY_STORE=memory (`commitKey` as memory-access.ts). */
export function memoryConnectedAccounts(commitKey: (written?: Written) => void = () => {}): ConnectedAccountRepository {
  const accounts = new Map<string, ConnectedAccountRecord>();
  const getById = async (id: string) => {
    const r = accounts.get(id);
    return r && copy(r);
  };
  return {
    getById,
    async get(workspaceId, id) {
      const r = await getById(id);
      return r?.workspace_id === workspaceId ? r : undefined;
    },
    async list(workspaceId) {
      return [...accounts.values()]
        .filter((r) => r.workspace_id === workspaceId)
        .sort((a, b) => a.connected_account.created_at.localeCompare(b.connected_account.created_at))
        .map((r) => copy(r));
    },
    async put(record) {
      commitKey();
      accounts.set(record.connected_account.connected_account_id, copy(record));
    },
    async remove(workspaceId, id) {
      if (accounts.get(id)?.workspace_id !== workspaceId) return;
      commitKey();
      accounts.delete(id);
    },
  };
}

/** Secrets in memory: nothing survives the process. */
export function memorySecretStore(): SecretStore {
  const values = new Map<string, string>();
  return {
    async put(name, value) {
      values.set(name, value);
    },
    async get(name) {
      return values.get(name);
    },
    async remove(name) {
      values.delete(name);
    },
  };
}
