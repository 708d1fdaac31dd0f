/** Column names and member codes made from the free text of a source file. */

/** `Unique Key` and `unique_key` are one column under `headers: "snake_case"`. */
export function snakeCase(h: string): string {
  return h
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');
}

/** A code made from free text: `Noise - Residential` → `NOISE_RESIDENTIAL`. */
export function slug(text: string): string {
  return (
    text
      .normalize('NFKC')
      .toUpperCase()
      .replace(/[^A-Z0-9]+/g, '_')
      .replace(/^_|_$/g, '')
      .slice(0, 60) || 'UNSPECIFIED'
  );
}
