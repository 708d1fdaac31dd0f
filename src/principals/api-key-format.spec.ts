import {
  API_KEY_LENGTH,
  apiKeyMatches,
  base62,
  generateApiKey,
  hashApiKey,
  newLookupId,
  parseApiKey,
} from './api-key-format.js';

describe('api key format', () => {
  it('generates hgw_ keys of fixed length whose lookup id parses back', () => {
    const sut = generateApiKey();
    expect(sut.key).toMatch(/^hgw_[0-9A-Za-z]{61}$/);
    expect(sut.key).toHaveLength(API_KEY_LENGTH);
    expect(parseApiKey(sut.key)).toEqual({ lookupId: sut.lookupId });
    expect(sut.key.slice(4, 16)).toBe(sut.lookupId);
  });

  it('never generates the same key or lookup id twice in a run', () => {
    const keys = new Set(Array.from({ length: 500 }, () => generateApiKey().key));
    const ids = new Set(Array.from({ length: 500 }, () => newLookupId()));
    expect(keys.size).toBe(500);
    expect(ids.size).toBe(500);
  });

  it('rejects a key with any single character changed (checksum), without a database', () => {
    const { key } = generateApiKey();
    for (let i = 4; i < key.length; i++) {
      const c = key[i] === 'a' ? 'b' : 'a';
      expect(parseApiKey(key.slice(0, i) + c + key.slice(i + 1))).toBeUndefined();
    }
  });

  it('rejects truncated, extended, wrongly prefixed and non-base62 strings', () => {
    const { key } = generateApiKey();
    expect(parseApiKey(key.slice(0, -1))).toBeUndefined();
    expect(parseApiKey(key + 'a')).toBeUndefined();
    expect(parseApiKey('ghp_' + key.slice(4))).toBeUndefined();
    expect(parseApiKey(key.slice(0, 20) + '-' + key.slice(21))).toBeUndefined();
    expect(parseApiKey('')).toBeUndefined();
  });

  it('encodes the full 256-bit range in 43 base62 characters', () => {
    expect(base62(Buffer.alloc(32, 0xff), 43)).toHaveLength(43);
    expect(base62(Buffer.alloc(32, 0), 43)).toBe('0'.repeat(43));
    expect(() => base62(Buffer.alloc(33, 0xff), 43)).toThrow(/does not fit/);
  });

  it('matches a key against its stored SHA-256 hash only', () => {
    const a = generateApiKey();
    const b = generateApiKey();
    expect(apiKeyMatches(a.key, a.hash)).toBe(true);
    expect(apiKeyMatches(b.key, a.hash)).toBe(false);
    expect(apiKeyMatches(a.key, Buffer.alloc(3))).toBe(false);
    expect(hashApiKey(a.key).toString('hex')).toHaveLength(64);
  });
});
