import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import type { KeyClaim } from './unit-of-work';
import { type KeptAnswer, keptAnswerSchema } from './schemas';

/*
 * A kept answer can hold what the table otherwise never holds in clear (a client session's
 * token, a webhook's secret), and the key itself is the caller's. So the table stores the key's
 * SHA-256 and the answer sealed (AES-256-GCM) under a key derived from the Idempotency-Key and
 * the workspace: only a request presenting the key can read the answer again.
 */

const info = Buffer.from('latchkey idempotency answer');
const keyFor = (claim: Pick<KeyClaim, 'workspaceId' | 'key'>) => Buffer.from(hkdfSync('sha256', claim.key, claim.workspaceId, info, 32));

/** How the table names a key: its SHA-256, never the key. */
export const keyDigest = (key: string): string => createHash('sha256').update(key).digest('hex');

export function sealAnswer(claim: Pick<KeyClaim, 'workspaceId' | 'key'>, answer: KeptAnswer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyFor(claim), iv);
  const sealed = Buffer.concat([cipher.update(JSON.stringify(answer), 'utf8'), cipher.final()]);
  return [iv, cipher.getAuthTag(), sealed].map((part) => part.toString('base64url')).join('.');
}

/** The answer sealed for this key; throws if it was sealed under another key or altered. */
export function openAnswer(claim: Pick<KeyClaim, 'workspaceId' | 'key'>, sealed: string): KeptAnswer {
  const [iv = '', tag = '', body = ''] = sealed.split('.');
  const decipher = createDecipheriv('aes-256-gcm', keyFor(claim), Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  const text = Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  return keptAnswerSchema.parse(JSON.parse(text));
}
