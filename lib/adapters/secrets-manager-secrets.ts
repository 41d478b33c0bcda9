import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SecretStore } from '../ports';

/**
 * Provider credentials in AWS Secrets Manager, one secret per name under `prefix` (the stack
 * grants access to that prefix only). The client loads on first use, so functions that never
 * touch a credential do not pay for it at cold start.
 */
export function secretsManagerStore(prefix: string, makeClient?: () => Promise<SecretsManagerClient>): SecretStore {
  let sdk: Promise<typeof import('@aws-sdk/client-secrets-manager')> | undefined;
  let client: Promise<SecretsManagerClient> | undefined;
  const load = () => (sdk ??= import('@aws-sdk/client-secrets-manager'));
  const connect = () => (client ??= makeClient?.() ?? load().then((m) => new m.SecretsManagerClient({})));
  const id = (name: string) => `${prefix}${name}`;
  return {
    async put(name, value) {
      const [m, c] = await Promise.all([load(), connect()]);
      try {
        await c.send(new m.PutSecretValueCommand({ SecretId: id(name), SecretString: value }));
      } catch (error) {
        if (!(error instanceof m.ResourceNotFoundException)) throw error;
        await c.send(new m.CreateSecretCommand({ Name: id(name), SecretString: value, Description: 'Latchkey connected-account credential' }));
      }
    },
    async get(name) {
      const [m, c] = await Promise.all([load(), connect()]);
      try {
        return (await c.send(new m.GetSecretValueCommand({ SecretId: id(name) }))).SecretString;
      } catch (error) {
        if (error instanceof m.ResourceNotFoundException) return undefined;
        throw error;
      }
    },
    async remove(name) {
      const [m, c] = await Promise.all([load(), connect()]);
      try {
        await c.send(new m.DeleteSecretCommand({ SecretId: id(name), ForceDeleteWithoutRecovery: true }));
      } catch (error) {
        if (!(error instanceof m.ResourceNotFoundException)) throw error;
      }
    },
  };
}
