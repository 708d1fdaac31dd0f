/**
 * Removes strings shaped like secrets or personal data from free text before it is
 * logged: API keys, bearer tokens, resident ID numbers, phone numbers and e-mail addresses.
 * The import pipeline has its own, stricter scrubber for stored text.
 */
const PATTERNS: [RegExp, string][] = [
  [/hgw_[A-Za-z0-9_]{8,}/g, 'hgw_[redacted]'],
  [/Bearer\s+[A-Za-z0-9._~+/=-]+/gi, 'Bearer [redacted]'],
  [/\b\d{17}[\dXx]\b/g, '[id-number]'],
  [/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g, '[email]'],
  [/(?<!\d)(?:\+?86[- ]?)?1[3-9]\d{9}(?!\d)/g, '[phone]'],
  [/(?<!\d)0\d{2,3}[- ]?\d{7,8}(?!\d)/g, '[phone]'],
  [/(?<!\d)(?:\+?1[-. ]?)?\(?\d{3}\)?[-. ]\d{3}[-. ]\d{4}(?!\d)/g, '[phone]'],
];

export function scrubPersonalData(text: string): string {
  let out = text;
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/** A value quoted in a refusal's reason: trimmed, scrubbed of personal data, at most 40 characters. */
export function quotedExcerpt(value: string | undefined): string {
  const s = scrubPersonalData((value ?? '').trim());
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}
