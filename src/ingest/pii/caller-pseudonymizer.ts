import { hash } from 'node:crypto';

/**
 * Caller pseudonym = HMAC-SHA-256(key, normalized number), first 128 bits, hex. The same
 * number always maps to the same pseudonym (so repeat calls can be linked) whatever way it
 * was written: `+86 139-1234-5678`, `13912345678` and `0086 13912345678` are one caller, as
 * are `(212) 555-0123` and `+1 212 555 0123`.
 */
export class CallerPseudonymizer {
  private readonly inner: Buffer;
  private readonly outer: Buffer;

  constructor(key: Buffer) {
    // HMAC (RFC 2104) with the padded keys prepared once: two one-shot hashes per number are
    // several times cheaper than a createHmac object per row. Equal to createHmac (tested).
    const block = Buffer.alloc(64);
    (key.length > 64 ? createHash256(key) : key).copy(block);
    this.inner = Buffer.from(block.map((b) => b ^ 0x36));
    this.outer = Buffer.from(block.map((b) => b ^ 0x5c));
  }

  /** Pseudonyms of numbers seen lately, as written: one HMAC per distinct caller, not per row. */
  private readonly cache = new Map<string, string | null>();

  pseudonym(rawNumber: string | null | undefined): string | null {
    if (!rawNumber) return null;
    const hit = this.cache.get(rawNumber);
    if (hit !== undefined) return hit;
    const value = this.compute(rawNumber);
    if (this.cache.size >= 10_000) this.cache.clear();
    this.cache.set(rawNumber, value);
    return value;
  }

  private compute(rawNumber: string): string | null {
    const number = normalizePhoneNumber(rawNumber);
    if (number === null) return null;
    const innerDigest = hash('sha256', Buffer.concat([this.inner, Buffer.from(number)]), 'buffer') as unknown as Buffer;
    const mac = hash('sha256', Buffer.concat([this.outer, innerDigest]), 'hex');
    return mac.slice(0, 32);
  }
}

function createHash256(data: Buffer): Buffer {
  return hash('sha256', data, 'buffer');
}

/** Digits only, country prefixes made uniform; null when there is no usable number. */
export function normalizePhoneNumber(raw: string | null | undefined): string | null {
  if (!raw) return null;
  let digits = raw.normalize('NFKC').replace(/\D/g, '');
  if (digits.length < 5) return null;
  let chinaPrefix = false;
  if (digits.startsWith('0086')) [digits, chinaPrefix] = [digits.slice(4), true];
  else if (digits.startsWith('86') && digits.length >= 12) [digits, chinaPrefix] = [digits.slice(2), true];
  if (/^1[3-9]\d{9}$/.test(digits)) return `cn:${digits}`;
  // Chinese landline with the trunk 0 dropped after +86 (e.g. +86 512 6512 3456).
  if (/^[1-9]\d{9,10}$/.test(digits) && !/^1\d{10}$/.test(digits) && chinaPrefix) return `cn:0${digits}`;
  if (/^0\d{9,11}$/.test(digits)) return `cn:${digits}`;
  if (/^1[2-9]\d{9}$/.test(digits)) return `us:${digits.slice(1)}`;
  if (/^[2-9]\d{9}$/.test(digits)) return `us:${digits}`;
  return `x:${digits}`;
}
