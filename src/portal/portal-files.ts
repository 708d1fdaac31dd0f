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

/** Where `npm ci` (scripts/ensure-built.cjs, Vite) writes the built portal. */
export const PORTAL_DIR = resolve(projectRoot(import.meta.dirname), 'dist', 'web');

export const NOT_BUILT_MESSAGE =
  'The web portal is not built in dist/web. Run `npm ci` (it builds the portal with the gateway) or `npm run build:web`, then restart. The API at /graphql works without it.';

/**
 * The portal's two HTML pages, read once. Their hashed script and style files are served
 * from `assets/` as they are; the pages themselves are small and never cached by browsers.
 */
export class PortalFiles {
  private pages: { index: string; explorer: string } | null | undefined;

  constructor(readonly dir: string = PORTAL_DIR) {}

  /** null when the portal has not been built. */
  page(name: 'index' | 'explorer'): string | null {
    if (this.pages === undefined) {
      try {
        this.pages = {
          index: readFileSync(join(this.dir, 'index.html'), 'utf8'),
          explorer: readFileSync(join(this.dir, 'explorer.html'), 'utf8'),
        };
      } catch {
        // Not built (yet): look again on the next request, so a build while running is picked up.
        return null;
      }
    }
    return this.pages ? this.pages[name] : null;
  }
}
