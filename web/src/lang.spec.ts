import { detectLang } from './lang';

describe('detectLang', () => {
  it('is Chinese when the browser asks for Chinese first', () => {
    expect(detectLang(null, ['zh-CN', 'en-US'])).toBe('zh');
    expect(detectLang(null, ['zh-TW'])).toBe('zh');
    expect(detectLang(null, ['fr-FR', 'zh-CN', 'en'])).toBe('zh');
  });
  it('is English when English comes first or nothing is known', () => {
    expect(detectLang(null, ['en-GB', 'zh-CN'])).toBe('en');
    expect(detectLang(null, ['fr-FR'])).toBe('en');
    expect(detectLang(null, [])).toBe('en');
  });
  it("follows the user's choice over the browser", () => {
    expect(detectLang('en', ['zh-CN'])).toBe('en');
    expect(detectLang('zh', ['en-GB'])).toBe('zh');
    expect(detectLang('de', ['en-GB'])).toBe('en');
  });
});
