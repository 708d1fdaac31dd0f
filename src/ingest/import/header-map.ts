import { InputError } from './case-input.js';

/** A field the profile reads, the header names it accepts, and whether it must be present. */
export interface FieldSpec<F extends string> {
  field: F;
  headers: string[];
  required?: boolean;
}

/**
 * Finds each field's column by header name (order does not matter; case, surrounding spaces
 * and a BOM are ignored). Missing required columns stop the import before any row is read,
 * with a message listing the names accepted for each.
 */
export function mapHeader<F extends string>(
  header: string[],
  specs: FieldSpec<F>[],
  normalize: (h: string) => string = (h) => h,
  profile = '',
): { index: Record<F, number>; unknownColumns: string[] } {
  const positions = new Map<string, number>();
  header.forEach((h, i) => {
    const key = normalize(h.replace(/^\uFEFF/, '').trim()).toLowerCase();
    if (!positions.has(key)) positions.set(key, i);
  });
  const index = {} as Record<F, number>;
  const used = new Set<number>();
  const missing: string[] = [];
  for (const spec of specs) {
    const found = spec.headers.map((h) => positions.get(normalize(h).toLowerCase())).find((i) => i !== undefined);
    index[spec.field] = found ?? -1;
    if (found !== undefined) used.add(found);
    else if (spec.required) missing.push(spec.headers.join(' / '));
  }
  if (missing.length > 0) {
    throw new InputError(
      `the header lacks required column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')}` +
        (profile ? ` for profile ${profile}` : '') +
        `; found: ${header.slice(0, 12).join(', ')}${header.length > 12 ? ', …' : ''}`,
    );
  }
  const unknownColumns = header.filter((_, i) => !used.has(i));
  return { index, unknownColumns };
}
