import { createHash } from 'node:crypto';
import { replyFingerprint } from './vocabulary.js';

describe('replyFingerprint', () => {
  const template = '您反映的问题已收悉，我单位高度重视，已安排相关人员处理，感谢您对我们工作的理解和支持。';

  it('gives near-identical copies of a reply one form: dates, times, numbers, placeholders, spacing and punctuation', () => {
    const forms = new Set(
      [
        template,
        `2021-03-15：${template}`,
        `${template}（10:32）`,
        `[姓名]：${template.replaceAll('，', ', ')}`,
        ` ${template} 工单号 `.replace('工单号', '') + '12345',
        template.normalize('NFKC').replace('。', '.'),
      ].map(replyFingerprint),
    );
    expect(forms.size).toBe(1);
  });

  it('keeps replies with different words apart, and has no form for empty text', () => {
    expect(replyFingerprint(template)).not.toBe(replyFingerprint(template.replace('高度重视', '非常重视')));
    expect(replyFingerprint(null)).toBeNull();
    expect(replyFingerprint('2021-03-15 [电话]')).toBeNull();
  });

  it('is the first 128 bits of SHA-256 of the normalized text, as stored fingerprints are', () => {
    const sha = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 32);
    expect(replyFingerprint('已 转交 [电话] 办理，2021年！')).toBe(sha('已转交办理年'));
    expect(replyFingerprint(template)).toBe(sha(template.replace(/[，。]/g, '')));
  });
});
