/** Checks a webhook's Svix signature with the account's secret; returns the event, or throws. */
export type WebhookVerifier = (secret: string, rawBody: string, headers: Readonly<Record<string, string | undefined>>) => Promise<unknown>;

/** Seam's own verifier (`@seamapi/webhook`), loaded by the one function that receives webhooks. */
export const seamWebhookVerifier: WebhookVerifier = async (secret, rawBody, headers) => {
  const { SeamWebhook } = await import('@seamapi/webhook');
  const present = Object.fromEntries(Object.entries(headers).filter((e): e is [string, string] => e[1] !== undefined));
  return new SeamWebhook(secret).verify(rawBody, present);
};
