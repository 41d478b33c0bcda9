import type { IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane';
import type { HubShadows } from '../providers/zwave';
import { ProviderError } from '../devices/lock-provider';
import { lockShadowSchema } from '../hub-contract/shadow-documents';

type IotDataModule = typeof import('@aws-sdk/client-iot-data-plane');

const errorName = (error: unknown) => (error instanceof Error ? error.name : '');

/** IoT Core's own trouble (throttling, 5xx, a timeout): retried with backoff by the engine, never a failed code. */
function unavailable(error: unknown): never {
  throw new ProviderError('provider_unavailable', `AWS IoT did not answer (${errorName(error) || 'error'})`);
}

/**
 * The hubs' lock shadows through the IoT data plane (GetThingShadow, UpdateThingShadow with
 * the version it read, ListNamedShadowsForThing). The SDK client is loaded on first use, so
 * functions that only read traits never pay for it; the Lambda runtime provides the package.
 */
export function iotHubShadows(endpoint?: string, make?: (m: IotDataModule) => IoTDataPlaneClient): HubShadows {
  let sdk: Promise<{ m: IotDataModule; client: IoTDataPlaneClient }> | undefined;
  const load = () => (sdk ??= import('@aws-sdk/client-iot-data-plane').then((m) => ({ m, client: make ? make(m) : new m.IoTDataPlaneClient(endpoint === undefined ? {} : { endpoint }) })));
  return {
    async get(thingName, shadowName) {
      const { m, client } = await load();
      try {
        const answer = await client.send(new m.GetThingShadowCommand({ thingName, shadowName }));
        if (!answer.payload) return undefined;
        return lockShadowSchema.parse(JSON.parse(Buffer.from(answer.payload).toString('utf8')));
      } catch (error) {
        if (error instanceof m.ResourceNotFoundException) return undefined;
        if (error instanceof ProviderError || errorName(error) === 'ZodError' || error instanceof SyntaxError) throw error;
        return unavailable(error);
      }
    },
    async setDesired(thingName, shadowName, desired, version) {
      const { m, client } = await load();
      try {
        const payload = new TextEncoder().encode(JSON.stringify({ state: { desired }, version }));
        await client.send(new m.UpdateThingShadowCommand({ thingName, shadowName, payload }));
        return true;
      } catch (error) {
        if (error instanceof m.ConflictException) return false;
        return unavailable(error);
      }
    },
    async list(thingName) {
      const { m, client } = await load();
      const names: string[] = [];
      let nextToken: string | undefined;
      try {
        do {
          const page = await client.send(new m.ListNamedShadowsForThingCommand({ thingName, pageSize: 100, nextToken }));
          names.push(...(page.results ?? []));
          nextToken = page.nextToken;
        } while (nextToken);
      } catch (error) {
        if (error instanceof m.ResourceNotFoundException) return [];
        return unavailable(error);
      }
      return names;
    },
  };
}
