import { PiiScrubber } from './pii-scrubber.js';

describe(PiiScrubber.name, () => {
  const sut = new PiiScrubber();

  it.each([
    ['13912345678'],
    ['139-1234-5678'],
    ['139 1234 5678'],
    ['+86 139 1234 5678'],
    ['+8613912345678'],
    ['0086-13912345678'],
    ['１３９１２３４５６７８'],
    ['0512-65123456'],
    ['(0512)65123456'],
    ['025 8765 4321'],
    ['+86-512-6512-3456'],
    ['(212) 555-0123'],
    ['212-555-0123'],
    ['+1 212 555 0123'],
    ['212.555.0123'],
    ['320502199001011234'],
    ['32050219900101123X'],
    ['someone.name+tag@example.com'],
    ['王小明@163.com'.replace('王小明', 'wxm')],
  ])('removes %s from text', (value) => {
    const out = sut.scrub(`投诉内容，联系方式${value}，谢谢`) as string;
    expect(out).not.toContain(value);
    expect(out.replace(/\D/g, '').length).toBeLessThan(7);
    expect(out).toContain('投诉内容');
  });

  it("removes the caller's full name and given name wherever they appear", () => {
    const out = sut.scrub('我是欧阳建华，建华家楼下噪音大，欧阳建华多次反映', ['欧阳建华']);
    expect(out).not.toContain('欧阳建华');
    expect(out).not.toContain('建华');
    expect(out).toContain('噪音大');
  });

  it('removes names introduced in the text even when the name column is empty', () => {
    expect(sut.scrub('我叫李秀英，反映小区停车难')).toBe('我叫[姓名]，反映小区停车难');
    expect(sut.scrub('王先生反映路灯不亮')).toBe('某先生反映路灯不亮');
  });

  it('keeps ordinary text, dates and short numbers', () => {
    expect(sut.scrub('2021-03-15 在3号楼发现漏水，已持续2天')).toBe('2021-03-15 在3号楼发现漏水，已持续2天');
  });

  it('returns null for empty text', () => {
    expect(sut.scrub('  ')).toBeNull();
    expect(sut.scrub(null)).toBeNull();
  });
});
