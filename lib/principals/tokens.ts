import { createHash, randomBytes } from 'node:crypto';

/**
 * Credential formats, as Seam's clients tell them apart by prefix. Only SHA-256 hashes of
 * the secrets are stored; a secret is shown once, when it is made.
 */
export const tokenPrefixes = { clientSession: 'seam_cst1', publishableKey: 'seam_pk1', personalAccessToken: 'seam_at1' } as const;

export const hashSecret = (secret: string): string => createHash('sha256').update(secret).digest('hex');

const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** 32 random characters of [0-9A-Za-z] (about 190 bits), without modulo bias. */
function randomText(length = 32): string {
  let out = '';
  while (out.length < length) {
    for (const b of randomBytes(length)) if (b < 248 && out.length < length) out += alphabet[b % 62];
  }
  return out;
}

/**
 * A client session token carries its workspace's and session's ids (32 hex digits each), so
 * authentication reads exactly one item, the session, and checks the secret's hash against it.
 */
export const newClientSessionToken = (workspaceId: string, clientSessionId: string): string => `${clientSessionTokenStem(workspaceId, clientSessionId)}_${randomText()}`;

/** The public part of a session's tokens: the prefix and the ids, without the secret. */
export const clientSessionTokenStem = (workspaceId: string, clientSessionId: string): string =>
  `${tokenPrefixes.clientSession}${workspaceId.replaceAll('-', '')}${clientSessionId.replaceAll('-', '')}`;

const uuidOf = (hex: string) => `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
const clientSessionTokenPattern = new RegExp(`^${tokenPrefixes.clientSession}([0-9a-f]{32})([0-9a-f]{32})_[0-9A-Za-z]{32}$`);

/** The workspace and session a client session token names, or undefined when it is not one. */
export function parseClientSessionToken(token: string): { workspaceId: string; clientSessionId: string } | undefined {
  const match = clientSessionTokenPattern.exec(token);
  if (!match?.[1] || !match[2]) return undefined;
  return { workspaceId: uuidOf(match[1]), clientSessionId: uuidOf(match[2]) };
}

export const newPublishableKey = (): string => `${tokenPrefixes.publishableKey}${randomText()}`;
export const isPublishableKey = (key: string): boolean => new RegExp(`^${tokenPrefixes.publishableKey}[0-9A-Za-z]{32}$`).test(key);

export const newPersonalAccessToken = (): string => `${tokenPrefixes.personalAccessToken}${randomText()}`;
export const isPersonalAccessToken = (token: string): boolean => new RegExp(`^${tokenPrefixes.personalAccessToken}[0-9A-Za-z]{32}$`).test(token);

/** What people see of a secret in listings: enough to recognise it, not to use it. */
export const secretPrefix = (secret: string): string => `${secret.slice(0, secret.indexOf('1') + 7)}…`;
