import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const TOKEN_RE = /^wk_([a-z0-9]{16})_([A-Za-z0-9_-]{43})$/;

/** A new host token: `wk_<id>_<secret>`. The id finds the stored hash; only the secret is secret. */
export function newToken(): { tokenId: string; secret: string; token: string } {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const tokenId = Array.from(randomBytes(16), (b) => alphabet[b % alphabet.length]).join('');
  const secret = randomBytes(32).toString('base64url');
  return { tokenId, secret, token: `wk_${tokenId}_${secret}` };
}

export function parseToken(token: string): { tokenId: string; secret: string } | undefined {
  const m = TOKEN_RE.exec(token);
  return m ? { tokenId: m[1], secret: m[2] } : undefined;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/**
 * Constant-time equality of two secrets of any length: both are hashed first, so neither the
 * content nor the length of the expected value leaks through timing.
 */
export function secretsEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** Constant-time comparison of two hex digests of equal length. */
export function digestsEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}
