#!/usr/bin/env node
// Compiles apps/ and libs/ (TypeScript) to dist/ with swc, one file at a time, rewriting the
// @app/* path aliases to relative imports. Skips files whose output is newer than the source, so
// a second build is nearly free. Type checking is `npm run typecheck`, not this.
import { readFileSync, readdirSync, statSync, mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

const SOURCE_DIRS = ['apps', 'libs'];
const SKIP = /\.(spec|int-spec|e2e-spec)\.ts$|\.d\.ts$/;

function* walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === 'node_modules' || entry.name === 'test') continue;
      yield* walk(path);
    } else if (entry.name.endsWith('.ts') && !SKIP.test(entry.name)) {
      yield path;
    }
  }
}

export function build({ quiet = false } = {}) {
  const swc = require('@swc/core');
  const swcrc = JSON.parse(readFileSync(join(root, '.swcrc'), 'utf8'));
  delete swcrc.$schema;
  swcrc.jsc.baseUrl = root;
  let compiled = 0;
  let total = 0;
  for (const dir of SOURCE_DIRS) {
    const base = join(root, dir);
    if (!existsSync(base)) continue;
    for (const file of walk(base)) {
      total += 1;
      const out = join(root, 'dist', relative(root, file)).replace(/\.ts$/, '.js');
      if (existsSync(out) && statSync(out).mtimeMs >= statSync(file).mtimeMs) continue;
      const result = swc.transformFileSync(file, {
        ...swcrc,
        swcrc: false,
        filename: file,
        sourceMaps: true,
        outputPath: out,
      });
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, `${result.code}\n//# sourceMappingURL=${out.split('/').pop()}.map\n`);
      if (result.map) writeFileSync(`${out}.map`, result.map);
      compiled += 1;
    }
  }
  if (!quiet) console.log(`build: ${compiled} of ${total} files compiled to dist/`);
  return { compiled, total };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  build();
}
