import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');

/**
 * Brings dist/ up to date as `npm start` does: `tsc --build tsconfig.build.json` (incremental:
 * nothing to do when no source changed), then, unless `web: false`, the web portal when a file
 * under web/ changed (scripts/build-web.mjs). For tests that run dist/ in a child process.
 */
export function ensureBuilt(options: { web?: boolean } = {}): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '--build', 'tsconfig.build.json'], {
    cwd: ROOT,
    stdio: ['inherit', 2, 'inherit'],
  });
  if (options.web !== false) {
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-web.mjs')], { cwd: ROOT, stdio: 'inherit' });
  }
}
