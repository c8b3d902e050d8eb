/**
 * How long the command line takes to start and finish its quickest commands: `lisht --help`,
 * `lisht results` (an empty results store) and `lisht datasets list`, each run as a fresh
 * process, the commands alternated round by round so that they see the same machine load.
 * `node -e 0` is timed beside them: Node's own start, which no change here can remove.
 *
 *   npm run build && node dist/bench/cli-start.js [--runs 15] [--cli dist/src/cli/main.js ...]
 *
 * Each `--cli` (repeatable) is a build of the command line to time, an older checkout's say:
 * all of them are alternated in the same rounds, so their figures compare on a busy machine.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { openStore } from '../src/experiments/open_store.js';
import { median } from '../src/training/bench.js';
import { REPO_ROOT } from '../test/helpers/env.js';

const { values: opts } = parseArgs({
  options: {
    runs: { type: 'string', default: '15' },
    cli: { type: 'string', multiple: true, default: [join(REPO_ROOT, 'dist/src/cli/main.js')] },
  },
});
const runs = Number(opts.runs);
const clis = opts.cli.map((c) => resolve(c));

const dir = mkdtempSync(join(tmpdir(), 'lisht-cli-start-'));
const db = join(dir, 'empty.db');
await (await openStore(db)).close();

const cases: Array<[string, string[]]> = [['node -e 0 (Node alone)', ['-e', '0']]];
for (const [i, cli] of clis.entries()) {
  const tag = clis.length > 1 ? ` [${i + 1}]` : '';
  cases.push([`lisht --help${tag}`, [cli, '--help']], [`lisht results --db empty.db${tag}`, [cli, 'results', '--db', db]], [`lisht datasets list${tag}`, [cli, 'datasets', 'list']]);
}
const times = new Map<string, number[]>(cases.map(([name]) => [name, []]));
for (let round = 0; round < runs; round++) {
  for (const [name, args] of cases) {
    const start = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LISHT_DATA_DIR: join(dir, 'data') } });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (r.status !== 0) throw new Error(`${name} failed (exit ${r.status}): ${r.stderr.toString()}`);
    times.get(name)!.push(ms);
  }
}
rmSync(dir, { recursive: true, force: true });

clis.forEach((cli, i) => console.log(`[${i + 1}] ${cli}`));
console.log(`${runs} runs each, alternated; load average ${loadavg()[0]!.toFixed(2)} at the end`);
for (const [name, ms] of times) {
  const sorted = [...ms].sort((a, b) => a - b);
  console.log(`${name.padEnd(34)} median ${median(ms).toFixed(0).padStart(5)} ms   min ${sorted[0]!.toFixed(0).padStart(5)} ms   max ${sorted.at(-1)!.toFixed(0).padStart(5)} ms`);
}
