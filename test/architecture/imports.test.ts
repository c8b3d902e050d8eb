/**
 * The import graph of the compiled library (dist/src): no cycle, no library module importing
 * the public barrel, and the layering of docs/architecture.md (issue 12): `experiments` does
 * not import `inspect`, `training` does not import `backends/native`; the playground's page
 * reaches no Node built-in (issue 15).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { REPO_ROOT } from '../helpers/env.js';

const SRC = join(REPO_ROOT, 'dist', 'src');

function modules(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return modules(path);
    return name.endsWith('.js') ? [path] : [];
  });
}

/** Relative imports of one compiled module (static, side-effect and dynamic ones). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'";]*?['"](\.[^'"]+)['"]/g), ...text.matchAll(/import\(\s*['"](\.[^'"]+)['"]\s*\)/g)].map((m) => m[1]!);
  return specs.map((s) => resolve(dirname(file), s));
}

const graph = new Map(modules(SRC).map((f) => [f, importsOf(f)]));
const name = (f: string) => relative(SRC, f);

test('issue 12: the compiled library has no import cycle', () => {
  const state = new Map<string, 'open' | 'done'>();
  const cycles: string[] = [];
  const visit = (f: string, path: string[]) => {
    if (state.get(f) === 'done') return;
    if (state.get(f) === 'open') {
      cycles.push([...path.slice(path.indexOf(f)), f].map(name).join(' -> '));
      return;
    }
    state.set(f, 'open');
    for (const g of graph.get(f) ?? []) if (graph.has(g)) visit(g, [...path, f]);
    state.set(f, 'done');
  };
  for (const f of graph.keys()) visit(f, []);
  assert.deepEqual(cycles, []);
});

test('issue 12: only the entries (lisht/node, the CLI) import the public barrel; layers import one way', () => {
  const barrel = join(SRC, 'index.js');
  const offending: string[] = [];
  for (const [f, deps] of graph) {
    const from = name(f);
    for (const d of deps) {
      const to = name(d);
      if (d === barrel && from !== 'node.js' && from !== 'cli/main.js') offending.push(`${from} imports the barrel`);
      if (from.startsWith('experiments/') && to.startsWith('inspect/')) offending.push(`${from} -> ${to}`);
      if (from.startsWith('training/') && to.startsWith('backends/native/')) offending.push(`${from} -> ${to}`);
      if (!from.startsWith('cli/') && to.startsWith('cli/')) offending.push(`${from} -> ${to}`);
      // The playground: its server is the CLI's; its page (playground/web) is an app no module imports.
      if (to.startsWith('playground/') && !from.startsWith('playground/') && !from.startsWith('cli/')) offending.push(`${from} -> ${to}`);
      if (to.startsWith('playground/web/') && !from.startsWith('playground/web/')) offending.push(`${from} -> ${to}`);
      // Issue 22: keras/ sits beside models/, below training/ and everything above it.
      if (from.startsWith('keras/') && /^(cli|inspect|experiments|training|diagnostics|fused|playground)\//.test(to)) offending.push(`${from} -> ${to}`);
    }
  }
  assert.deepEqual(offending, []);
});

test('issue 15: the playground page (and, issue 24, its CNN worker) imports no Node built-in, directly or through any module it reaches', () => {
  const entries = [join(SRC, 'playground', 'web', 'main.js'), join(SRC, 'playground', 'web', 'cnn_worker.js')];
  assert.ok(entries.every((e) => graph.has(e)), 'both entries compiled');
  const seen = new Set<string>();
  const stack = [...entries];
  while (stack.length > 0) {
    const f = stack.pop()!;
    if (seen.has(f) || !graph.has(f)) continue;
    seen.add(f);
    stack.push(...graph.get(f)!);
  }
  const nodeOnly = [...seen].filter((f) => /(?:from|import)\s*\(?\s*['"]node:/.test(readFileSync(f, 'utf8'))).map(name);
  assert.ok(seen.size > 20, `walked ${seen.size} modules`);
  assert.deepEqual(nodeOnly, []);
});

test('issue 22: the Keras loader and writer reach no Node built-in (only keras/files.ts reads paths)', () => {
  for (const entry of ['load.js', 'save.js']) {
    const seen = new Set<string>();
    const stack = [join(SRC, 'keras', entry)];
    while (stack.length > 0) {
      const f = stack.pop()!;
      if (seen.has(f) || !graph.has(f)) continue;
      seen.add(f);
      stack.push(...graph.get(f)!);
    }
    const nodeOnly = [...seen].filter((f) => /(?:from|import)\s*\(?\s*['"]node:/.test(readFileSync(f, 'utf8'))).map(name);
    assert.ok(seen.size > 5, `walked ${seen.size} modules from keras/${entry}`);
    assert.deepEqual(nodeOnly, []);
  }
});
