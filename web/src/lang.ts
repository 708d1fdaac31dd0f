export type Lang = 'zh' | 'en';

/**
 * The user's choice if any; otherwise Chinese when the browser asks for Chinese before English,
 * English when it asks for English first, and English for anything else.
 */
export function detectLang(stored: string | null, languages: readonly string[]): Lang {
  if (stored === 'zh' || stored === 'en') return stored;
  for (const l of languages) {
    const lower = l.toLowerCase();
    if (lower.startsWith('zh')) return 'zh';
    if (lower.startsWith('en')) return 'en';
  }
  return 'en';
}
