import { existsSync, promises as fs } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../case-input.js';
import { MappingError, parseMapping, type ColumnMapping } from './column-mapping.js';

/** The CSV profiles that are mapping files shipped in `mappings/` (the repository's, and the package's). */
export const SHIPPED_MAPPINGS = ['12345', 'nyc311'] as const;
export type ShippedMapping = (typeof SHIPPED_MAPPINGS)[number];

let folder: string | undefined;

/** `mappings/` beside package.json, found from this file (src/… under ts-jest, dist/src/… when built). */
export function mappingsFolder(): string {
  if (folder) return folder;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    if (existsSync(join(dir, 'mappings', '12345.json')) && existsSync(join(dir, 'package.json'))) {
      return (folder = join(dir, 'mappings'));
    }
    dir = dirname(dir);
  }
  throw new Error('the shipped mapping files (mappings/12345.json …) are missing from the installation');
}

const shipped = new Map<ShippedMapping, Promise<ColumnMapping>>();

/** A shipped profile's mapping, read once per process. */
export function shippedMapping(name: ShippedMapping): Promise<ColumnMapping> {
  let m = shipped.get(name);
  if (!m) {
    m = loadMappingFile(join(mappingsFolder(), `${name}.json`));
    m.catch(() => shipped.delete(name));
    shipped.set(name, m);
  }
  return m;
}

/** Reads and checks a mapping file; every problem becomes one InputError naming the file and what to fix. */
export async function loadMappingFile(file: string): Promise<ColumnMapping> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    throw new InputError(
      `cannot read the mapping ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  let document: unknown;
  try {
    document = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new InputError(`the mapping ${file} is not valid JSON: ${(e as Error).message}`);
  }
  try {
    return parseMapping(document, `the mapping ${file}`);
  } catch (e) {
    if (e instanceof MappingError) throw new InputError(e.message);
    throw e;
  }
}
