import { digestsEqual, hashSecret, newToken, parseToken, secretsEqual } from './secrets';

describe('host token secrets', () => {
  it('makes tokens that parse back to their id and secret, and differ every time', () => {
    const a = newToken();
    const b = newToken();
    expect(parseToken(a.token)).toEqual({ tokenId: a.tokenId, secret: a.secret });
    expect(a.token).not.toBe(b.token);
    expect(a.tokenId).toMatch(/^[a-z0-9]{16}$/);
  });

  it('rejects malformed tokens', () => {
    const { token } = newToken();
    for (const bad of ['', 'Bearer x', token.slice(0, -1), `${token}x`, token.replace('wk_', 'xx_'), token.toUpperCase()]) {
      expect(parseToken(bad)).toBeUndefined();
    }
  });

  it('compares secrets and digests exactly, whatever their lengths', () => {
    expect(secretsEqual('admin-token-0123456789', 'admin-token-0123456789')).toBe(true);
    expect(secretsEqual('admin-token-0123456789', 'admin-token-012345678')).toBe(false);
    expect(secretsEqual('', 'x')).toBe(false);
    const h = hashSecret('s');
    expect(digestsEqual(h, hashSecret('s'))).toBe(true);
    expect(digestsEqual(h, hashSecret('t'))).toBe(false);
    expect(digestsEqual(h, h.slice(0, 10))).toBe(false);
  });
});
