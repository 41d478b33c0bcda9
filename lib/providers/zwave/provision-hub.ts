/** What the edge agent needs to dial in as this hub. The private key exists only here: AWS keeps no copy. */
export interface HubCredentials {
  thing_name: string;
  mqtt_url: string;
  certificate_arn: string;
  certificate_pem: string;
  private_key_pem: string;
}

/**
 * Gives a hub its identity at the hubs' broker (AWS IoT in a deployed stack): a thing named
 * after its connected account, a certificate and key, and the hub policy, which lets a
 * certificate act only as the thing it is attached to.
 */
export interface HubIdentities {
  provision(input: { thingName: string; policyName: string; connectedAccountId: string }): Promise<HubCredentials>;
}
