/**
 * Removes personal data from free text before it is stored: stricter than the log scrubber
 * (src/logging/scrub.ts). Anything shaped like a phone number (Chinese mobile and landline,
 * with +86 / 0086 and any separators, US formats), a resident ID number (18 or 15 digits),
 * an e-mail address, or any other run of 7 or more consecutive digits is replaced by a placeholder; so
 * are the caller's name (and given name) wherever it appears, and names introduced by
 * "我叫 / 本人 / 姓名" or followed by 先生 / 女士.
 */
const DIGIT_SEP = String.raw`[\s\-.－—·]?`;

const PATTERNS: [RegExp, string][] = [
  // E-mail first, so that digits inside an address do not leave a half-address behind.
  [/[A-Za-z0-9._%+-]+\s*(?:@|＠)\s*[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g, '[邮箱]'],
  // Resident ID numbers: 18 digits (last may be X) or the old 15 digits.
  [/(?<![0-9])\d{6}(?:19|20)\d{2}(?:0[1-9]|1[0-2])\d{2}\d{3}[\dXx](?![0-9])/g, '[证件号]'],
  [/(?<![0-9])\d{17}[\dXx](?![0-9A-Za-z])/g, '[证件号]'],
  // Chinese mobile: optional +86/0086/86, 11 digits from 1[3-9], any separators.
  [
    new RegExp(
      String.raw`(?<![0-9])(?:(?:\+|＋|00)?86${DIGIT_SEP})?1[3-9]\d${DIGIT_SEP}\d{4}${DIGIT_SEP}\d{4}(?![0-9])`,
      'g',
    ),
    '[电话]',
  ],
  // Chinese landline: (0512) 6512-3456, 0512-65123456, +86-512-65123456, optional extension.
  [
    new RegExp(
      String.raw`(?<![0-9])(?:(?:\+|00)?86${DIGIT_SEP}\(?0?[1-9]\d{1,2}\)?|\(?0[1-9]\d{1,2}\)?)${DIGIT_SEP}\d{3,4}${DIGIT_SEP}\d{4}(?:\s*(?:转|ext\.?|x)\s*\d{1,5})?(?![0-9])`,
      'gi',
    ),
    '[电话]',
  ],
  // US: +1 (212) 555-0123, 212.555.0123, 212-555-0123, 1 212 555 0123.
  [/(?<![0-9])(?:\+?1[\s.-]?)?\(?[2-9]\d{2}\)?[\s.-]?\d{3}[\s.-]\d{4}(?![0-9])/g, '[电话]'],
  // Whatever is left: any run of 7+ digits may be a number.
  [/\d{7,}/g, '[号码]'],
  // Names introduced in the text.
  [/(我叫|我是|本人|姓名[:：]?|联系人[:：]?|来电人[:：]?)\s*[\u4e00-\u9fa5]{2,3}(?=[，,。；;、\s]|$)/g, '$1[姓名]'],
  [/[\u4e00-\u9fa5](?=(?:先生|女士|小姐))/g, '某'],
];

const HAS_DIGIT_OR_AT = /[0-9@]/;
/** Each name pattern needs one of these words literally: without them both can be skipped. */
const NAME_CUES = /我叫|我是|本人|姓名|联系人|来电人|先生|女士|小姐/;
const HAS_FULL_WIDTH = /[\uFF10-\uFF19\uFF20\uFF0B\uFF08\uFF09\uFF0D]/;
const FULL_WIDTH = /[\uFF10-\uFF19\uFF20\uFF0B\uFF08\uFF09\uFF0D]/g;
const FIRST_NAME_PATTERN = PATTERNS.length - 2;

export class PiiScrubber {
  /**
   * Scrubs `text`; `names` are the caller's names known for this row (from 来电人), removed
   * wherever they appear, together with their given name when it has 2+ characters.
   */
  scrub(text: string | null | undefined, names: readonly string[] = []): string | null {
    return this.scrubPrepared(text, namesToRemove(names));
  }

  /** As `scrub`, with the names already expanded by `namesToRemove` (once per row, not per field). */
  scrubPrepared(text: string | null | undefined, expandedNames: readonly string[]): string | null {
    if (text === null || text === undefined) return null;
    // Full-width digits and signs (１３９…, ＠, ＋, （, ）, －) become ASCII so the patterns see them;
    // other text (Chinese punctuation) is kept as written.
    let out = HAS_FULL_WIDTH.test(text)
      ? text.replace(FULL_WIDTH, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
      : text;
    for (const name of expandedNames) if (out.includes(name)) out = out.split(name).join('[姓名]');
    // Most text has no digits and no @, and no word that introduces a name: skip the patterns
    // that cannot match then (each needs a digit or @, or one of its cue words).
    if (HAS_DIGIT_OR_AT.test(out))
      for (let i = 0; i < FIRST_NAME_PATTERN; i++) out = out.replace(PATTERNS[i][0], PATTERNS[i][1]);
    if (NAME_CUES.test(out))
      for (let i = FIRST_NAME_PATTERN; i < PATTERNS.length; i++) out = out.replace(PATTERNS[i][0], PATTERNS[i][1]);
    out = out.trim();
    return out === '' ? null : out;
  }
}

const expandedCache = new Map<string, string[]>();

/** Full names, longest first, plus Chinese given names of 2+ characters (surname dropped). */
export function namesToRemove(names: readonly string[]): string[] {
  // One name per row is the rule: remember its expansion, callers' names recur.
  if (names.length === 1) {
    const hit = expandedCache.get(names[0]);
    if (hit) return hit;
    const expanded = expandNames(names);
    if (expandedCache.size >= 5_000) expandedCache.clear();
    expandedCache.set(names[0], expanded);
    return expanded;
  }
  return expandNames(names);
}

function expandNames(names: readonly string[]): string[] {
  const set = new Set<string>();
  for (const raw of names) {
    const name = raw.normalize('NFKC').trim();
    if (name.length < 2) continue;
    set.add(name);
    if (/^[\u4e00-\u9fa5]{3,4}$/.test(name)) set.add(name.slice(name.length === 4 ? 2 : 1));
    for (const part of name.split(/\s+/)) if (part.length >= 3 && /^[A-Za-z]/.test(part)) set.add(part);
  }
  return [...set].sort((a, b) => b.length - a.length);
}
