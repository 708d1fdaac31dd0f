import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { crc32 } from 'node:zlib';

/**
 * API key format, like GitHub's tokens: a recognizable prefix, a public lookup id, a
 * 256-bit random secret and a CRC32 checksum, all base62 so a double-click selects it:
 *
 *   hgw_ <lookup id: 12> <secret: 43> <checksum: 6>      (65 characters)
 *
 * The prefix lets secret scanners spot a leaked key; the checksum rejects a typo or a
 * made-up key without touching the database; the lookup id finds the row by primary key.
 * Only SHA-256 of the whole key is stored: the secret is 256 random bits, so a slow hash
 * adds nothing.
 */
export const API_KEY_PREFIX = 'hgw_';
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const LOOKUP_ID_LENGTH = 12;
const SECRET_BYTES = 32;
/** ceil(256 / log2(62)) = 43 characters hold any 256-bit number. */
const SECRET_LENGTH = 43;
/** 62^6 > 2^32: any CRC32 fits in 6 characters. */
const CHECKSUM_LENGTH = 6;
export const API_KEY_LENGTH = API_KEY_PREFIX.length + LOOKUP_ID_LENGTH + SECRET_LENGTH + CHECKSUM_LENGTH;
const SHAPE = new RegExp(`^${API_KEY_PREFIX}[0-9A-Za-z]{${API_KEY_LENGTH - API_KEY_PREFIX.length}}$`);
export const LOOKUP_ID_PATTERN = /^[0-9A-Za-z]{12}$/;

export function base62(bytes: Uint8Array, length: number): string {
  let n = BigInt('0x' + (Buffer.from(bytes).toString('hex') || '0'));
  let out = '';
  while (n > 0n) {
    out = ALPHABET[Number(n % 62n)] + out;
    n /= 62n;
  }
  if (out.length > length) throw new Error(`value does not fit in ${length} base62 characters`);
  return out.padStart(length, '0');
}

function checksumOf(body: string): string {
  const crc = crc32(body) >>> 0;
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(crc);
  return base62(bytes, CHECKSUM_LENGTH);
}

/** A random lookup id: 12 base62 characters (about 71 bits), unique per key. */
export function newLookupId(): string {
  let id = '';
  // Rejection sampling keeps the characters uniform (256 is not a multiple of 62).
  while (id.length < LOOKUP_ID_LENGTH) {
    for (const byte of randomBytes(16)) {
      if (byte < 248 && id.length < LOOKUP_ID_LENGTH) id += ALPHABET[byte % 62];
    }
  }
  return id;
}

export interface GeneratedApiKey {
  /** The full key: shown once, never stored. */
  key: string;
  lookupId: string;
  /** SHA-256 of the whole key: the only thing stored. */
  hash: Buffer;
}

export function generateApiKey(lookupId: string = newLookupId()): GeneratedApiKey {
  if (!LOOKUP_ID_PATTERN.test(lookupId)) throw new Error('lookup id must be 12 base62 characters');
  const body = API_KEY_PREFIX + lookupId + base62(randomBytes(SECRET_BYTES), SECRET_LENGTH);
  const key = body + checksumOf(body);
  return { key, lookupId, hash: hashApiKey(key) };
}

/**
 * Checks shape and checksum offline. Returns the lookup id, or undefined for anything
 * that is not a well-formed hotline-gateway key (typo, truncation, made-up string).
 */
export function parseApiKey(candidate: string): { lookupId: string } | undefined {
  if (!SHAPE.test(candidate)) return undefined;
  const body = candidate.slice(0, -CHECKSUM_LENGTH);
  if (checksumOf(body) !== candidate.slice(-CHECKSUM_LENGTH)) return undefined;
  return { lookupId: candidate.slice(API_KEY_PREFIX.length, API_KEY_PREFIX.length + LOOKUP_ID_LENGTH) };
}

export function looksLikeApiKey(candidate: string): boolean {
  return candidate.startsWith(API_KEY_PREFIX);
}

export function hashApiKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/** Constant-time comparison of a presented key with a stored hash. */
export function apiKeyMatches(key: string, storedHash: Buffer): boolean {
  const presented = hashApiKey(key);
  return storedHash.length === presented.length && timingSafeEqual(presented, storedHash);
}
