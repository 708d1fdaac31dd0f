import { scrubPersonalData } from './scrub.js';

describe(scrubPersonalData.name, () => {
  it.each([
    ['key hgw_abcDEF1234567890_xyz leaked', 'key hgw_[redacted] leaked'],
    [
      'Authorization: Bearer eyJhbGciOi.abc.def',
      'Authorization: [redacted]'.replace('[redacted]', 'Bearer [redacted]'),
    ],
    ['ID 32050219900101123X here', 'ID [id-number] here'],
    ['call 13812345678 now', 'call [phone] now'],
    ['call +86 13812345678 now', 'call [phone] now'],
    ['office 0512-66881234', 'office [phone]'],
    ['NYC (212) 555-0100', 'NYC [phone]'],
    ['mail li.wei@example.com.cn', 'mail [email]'],
  ])('removes personal data from %j', (input, expected) => {
    expect(scrubPersonalData(input)).toBe(expected);
  });

  it('leaves ordinary numbers alone', () => {
    expect(scrubPersonalData('320500 had 1234 cases in 2021-03')).toBe('320500 had 1234 cases in 2021-03');
  });
});
