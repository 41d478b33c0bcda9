import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import type { WebhookTransport } from '../ports';

/** Addresses a webhook may not reach from AWS: loopback (the Lambda runtime API), private, link-local (instance metadata). */
const internal = new BlockList();
for (const [net, prefix] of [
  ['127.0.0.0', 8],
  ['10.0.0.0', 8],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['169.254.0.0', 16],
  ['0.0.0.0', 8],
  ['100.64.0.0', 10],
] as const) {
  internal.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['::', 128],
] as const)
  internal.addSubnet(net, prefix, 'ipv6');

async function reachesInternal(hostname: string): Promise<boolean> {
  const host = hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host) ? [{ address: host, family: isIP(host) }] : await lookup(host, { all: true });
  return addresses.some(({ address, family }) => internal.check(address, family === 6 ? 'ipv6' : 'ipv4'));
}

/**
 * Webhook requests over HTTP with fetch: no redirects followed (a 3xx is a failed attempt, as
 * with Svix), a timeout per attempt, and, unless `allowInternal` (local mode), no requests to
 * internal addresses.
 */
export function httpWebhookTransport({ allowInternal }: { allowInternal: boolean }): WebhookTransport {
  return {
    async post(url, headers, body, timeoutMs) {
      try {
        if (!allowInternal && (await reachesInternal(new URL(url).hostname))) return { failure: 'refused_address' };
        const response = await fetch(url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
        await response.body?.cancel();
        return { status: response.status };
      } catch (error) {
        return { failure: error instanceof Error && error.name === 'TimeoutError' ? 'timeout' : 'network_error' };
      }
    },
  };
}
