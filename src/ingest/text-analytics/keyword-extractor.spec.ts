import { generateCases } from '../generate/case-generator.js';
import { REQUEST_PHRASES } from '../generate/request-phrases.js';
import { categoryRows } from '../reference/categories.js';
import { STOP_WORDS } from './topic-words.js';
import { fakeName } from '../generate/fake-people.js';
import { Prng } from '../generate/prng.js';
import { namesToRemove, PiiScrubber } from '../pii/pii-scrubber.js';
import { KeywordExtractor, MAX_KEYWORDS_PER_CASE } from './keyword-extractor.js';

describe(KeywordExtractor.name, () => {
  const sut = KeywordExtractor.instance();
  const scrubber = new PiiScrubber();

  it('keeps the nouns a request is about, whole, and drops boilerplate and place names', () => {
    const words = sut.extract('反映姑苏区城东街道某小区存在建筑施工噪声问题，共享单车乱停放，希望相关部门尽快处理。');
    expect(words).toEqual(['建筑施工噪声', '共享单车']);
  });

  it('makes problems the biggest topics of generated requests, never the places they happen at', () => {
    const counts = new Map<string, number>();
    for (const c of generateCases({ cases: 4000, from: '2022-01-01', to: '2022-12-31', seed: 'topics' })) {
      for (const word of sut.extract(scrubber.scrub(c.requestText, [c.callerName]))) {
        counts.set(word, (counts.get(word) ?? 0) + 1);
      }
    }
    const top = [...counts]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 10)
      .map(([word]) => word);
    // What residents say their problem is (the phrases per category, and the category names).
    const problems = [...Object.values(REQUEST_PHRASES).flat(), ...categoryRows().map((r) => r.nameZh)].join('|');
    expect(top.filter((word) => !problems.includes(word))).toEqual([]);
    expect(top.filter((word) => STOP_WORDS.includes(word))).toEqual([]);
    for (const place of ['小区', '工地', '菜市场', '学校', '商铺', '公交站']) expect(counts.has(place)).toBe(false);
  });

  it('returns nothing for empty text and at most the limit for long text', () => {
    expect(sut.extract(null)).toEqual([]);
    expect(sut.extract('')).toEqual([]);
    const long = '物业费 停车位 充电桩 垃圾分类 高空抛物 群租房 网约车 渣土车 广场舞 公积金 社保卡 健康码';
    expect(sut.extract(long)).toHaveLength(MAX_KEYWORDS_PER_CASE);
  });

  it.each([
    ['我叫欧阳建华，电话13912345678，物业费太高。', '欧阳建华'],
    ['本人王芳，身份证号320505198001011234，停车位不够。', '王芳'],
    ['来电人张伟，邮箱zhangwei@example.com，充电桩坏了。', '张伟'],
    ['诸葛晓芸来电，手机+86 139-1234-5678，垃圾分类没人管。', '诸葛晓芸'],
  ])('never makes a keyword of a name, number, ID or address in "%s"', (text, name) => {
    const words = sut.extract(scrubber.scrub(text, [name]));
    expect(words.length).toBeGreaterThan(0);
    for (const w of words) {
      expect(w).toMatch(/^[\u4e00-\u9fff]{2,8}$/);
      for (const part of [name, name.slice(1), name.slice(2)].filter((p) => p.length >= 2)) {
        expect(w.includes(part) || part.includes(w)).toBe(false);
      }
    }
  });

  it('lets no caller name through on 5,000 generated requests full of personal data', () => {
    const names = new Set<string>();
    const rng = new Prng('names');
    for (let i = 0; i < 2000; i++) names.add(fakeName(rng));
    let keywords = 0;
    for (const c of generateCases({ cases: 5000, from: '2021-01-01', to: '2021-03-31', seed: 'kw' })) {
      names.add(c.callerName);
      const words = sut.extract(scrubber.scrubPrepared(c.requestText, namesToRemove([c.callerName])));
      keywords += words.length;
      for (const w of words) {
        expect(w).not.toMatch(/\d/);
        expect(names.has(w)).toBe(false);
        if (w.length <= 3) expect(names.has(c.callerName.slice(0, 1) + w)).toBe(false);
      }
    }
    expect(keywords).toBeGreaterThan(5000);
  });
});
