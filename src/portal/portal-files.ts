import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The project root: the nearest folder above this file with a package.json (dist/src/portal or src/portal). */
function projectRoot(from: string): string {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) return from;
    dir = up;
  }
}

/** Where `npm ci` (`npm run build`: scripts/build-web.mjs, Vite) writes the built portal. */
export const PORTAL_DIR = resolve(projectRoot(import.meta.dirname), 'dist', 'web');

export const NOT_BUILT_MESSAGE =
  'The web portal is not built in dist/web. Run `npm ci` (it builds the portal with the gateway) or `npm run build:web`, then restart. The API at /graphql works without it.';

/**
 * The portal's two HTML pages, read on each request: they are small, and a rebuild of dist/web
 * (new hashed asset names) is then served at once. Their hashed script and style files are
 * served from `assets/` as they are.
 */
export class PortalFiles {
  constructor(readonly dir: string = PORTAL_DIR) {}

  /** null when the portal has not been built. */
  page(name: 'index' | 'explorer'): string | null {
    try {
      return readFileSync(join(this.dir, `${name}.html`), 'utf8');
    } catch {
      return null;
    }
  }
}
