import type { DesiredState, LockShadow } from '../../hub-contract/shadow-documents';

/**
 * Latchkey's side of the hubs' lock shadows: the IoT data plane in AWS, the local IoT Core
 * stand-in locally. Failures of the service itself are ProviderErrors (`provider_unavailable`).
 */
export interface HubShadows {
  get(thingName: string, shadowName: string): Promise<LockShadow | undefined>;
  /**
   * Writes desired slots (and their owners), or a bolt request, if the shadow is still at `version`. False when
   * another writer got there first: read again and decide again.
   */
  setDesired(thingName: string, shadowName: string, desired: DesiredState, version: number): Promise<boolean>;
  /** The named shadows of a hub's thing. */
  list(thingName: string): Promise<string[]>;
}
