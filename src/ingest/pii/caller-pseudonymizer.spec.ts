import { createHmac, randomBytes } from 'node:crypto';
import { CallerPseudonymizer, normalizePhoneNumber } from './caller-pseudonymizer.js';

describe(CallerPseudonymizer.name, () => {
  const key = randomBytes(32);
  const sut = new CallerPseudonymizer(key);

  it('is HMAC-SHA-256 of the normalized number under the key', () => {
    const expected = createHmac('sha256', key).update('cn:13912345678').digest('hex').slice(0, 32);
    expect(sut.pseudonym('13912345678')).toBe(expected);
  });

  it('gives one pseudonym for one number however it is written', () => {
    const forms = ['13912345678', '+86 139-1234-5678', '0086 139 1234 5678', '86-13912345678'];
    expect(new Set(forms.map((f) => sut.pseudonym(f))).size).toBe(1);
    expect(sut.pseudonym('(212) 555-0186')).toBe(sut.pseudonym('+1 212 555 0186'));
    expect(sut.pseudonym('0512-65123456')).toBe(sut.pseudonym('+86 512 6512 3456'));
  });

  it('differs between keys and never contains the number', () => {
    const other = new CallerPseudonymizer(randomBytes(32));
    expect(other.pseudonym('13912345678')).not.toBe(sut.pseudonym('13912345678'));
    expect(sut.pseudonym('13912345678')).not.toContain('13912345678');
  });

  it('has no pseudonym without a usable number', () => {
    expect(sut.pseudonym('')).toBeNull();
    expect(sut.pseudonym('匿名')).toBeNull();
    expect(normalizePhoneNumber('12')).toBeNull();
  });
});
