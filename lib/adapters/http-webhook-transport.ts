import { type LookupAddress, promises as dns } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';
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
  // IPv4-mapped addresses (::ffff:127.0.0.1) reach IPv4 hosts without naming them as such.
  ['::ffff:0:0', 96],
] as const)
  internal.addSubnet(net, prefix, 'ipv6');

const isInternal = ({ address, family }: LookupAddress) => internal.check(address, family === 6 ? 'ipv6' : 'ipv4');

/** Turns a host name into its addresses: the system resolver unless a test brings its own. */
export type Resolve = (hostname: string) => Promise<LookupAddress[]>;

const systemResolve: Resolve = (hostname) => dns.lookup(hostname, { all: true });

class RefusedAddressError extends Error {}

/**
 * The lookup the request's socket connects with: the name is resolved once, every address is
 * checked, and the socket connects to one of exactly those addresses, with the name still the
 * request's Host and TLS server name. Nothing can rebind the name between check and connect.
 */
function checkedLookup(resolve: Resolve, allowInternal: boolean): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (resolved) => {
        const addresses = options.family === 4 || options.family === 6 ? resolved.filter((a) => a.family === options.family) : resolved;
        const [first] = addresses;
        if (first === undefined) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0);
        if (!allowInternal && addresses.some(isInternal)) return callback(new RefusedAddressError(hostname), '', 0);
        if (options.all) return callback(null, addresses);
        return callback(null, first.address, first.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 0),
    );
  };
}

/** POSTs `body` and answers the status; the socket is not kept for another request. */
function post(url: URL, headers: Record<string, string>, body: string, signal: AbortSignal, lookup: LookupFunction): Promise<number> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const request = send(url, { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, lookup, signal, agent: false }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('error', reject);
    request.end(body);
  });
}

/**
 * Webhook requests over HTTP(S): no redirects followed (a 3xx is a failed attempt, as with
 * Svix), a timeout per attempt, and, unless `allowInternal` (local mode), no connection to an
 * internal address, checked on the address the socket connects to.
 */
export function httpWebhookTransport({ allowInternal, resolve = systemResolve }: { allowInternal: boolean; resolve?: Resolve }): WebhookTransport {
  const lookup = checkedLookup(resolve, allowInternal);
  return {
    async post(url, headers, body, timeoutMs) {
      const signal = AbortSignal.timeout(timeoutMs);
      try {
        const target = new URL(url);
        if (target.protocol !== 'http:' && target.protocol !== 'https:') return { failure: 'network_error' };
        // An address in the URL is connected to without a lookup: it is checked here instead.
        const literal = target.hostname.replace(/^\[|\]$/g, '');
        if (!allowInternal && isIP(literal) !== 0 && isInternal({ address: literal, family: isIP(literal) })) return { failure: 'refused_address' };
        return { status: await post(target, headers, body, signal, lookup) };
      } catch (error) {
        if (error instanceof RefusedAddressError) return { failure: 'refused_address' };
        return { failure: signal.aborted ? 'timeout' : 'network_error' };
      }
    },
  };
}
