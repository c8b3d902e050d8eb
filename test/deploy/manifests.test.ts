/**
 * Issue 16: the deployment recipes parse, and every lisht command they (and
 * docs/distributed.md) run exists, with the flags they pass.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { parseAllDocuments } from 'yaml';
import { registerCommands } from '../../src/cli/commands/index.js';
import { REPO_ROOT } from '../helpers/env.js';

const program = new Command('lisht');
await registerCommands(program);

/** Checks `args` (after `lisht`) name a command and only flags it has; returns the command's path. */
function checkCommand(args: readonly string[], where: string): string {
  let command: Command = program;
  let i = 0;
  while (i < args.length && !args[i]!.startsWith('-')) {
    const sub = command.commands.find((c) => c.name() === args[i]);
    if (sub === undefined) break;
    command = sub;
    i++;
  }
  assert.notEqual(command, program, `${where}: lisht ${args.join(' ')} names no command`);
  for (const a of args.slice(i)) {
    if (!a.startsWith('--')) continue;
    const flag = a.split('=')[0]!;
    const known = [...command.options.map((o) => o.long), '--help'];
    assert.ok(known.includes(flag), `${where}: lisht ${command.name()} has no flag ${flag} (it has ${known.join(', ')})`);
  }
  return args.slice(0, i).join(' ');
}

test('deploy/k8s/job.yaml: an indexed Job whose containers run lisht commands that exist', () => {
  const docs = parseAllDocuments(readFileSync(join(REPO_ROOT, 'deploy/k8s/job.yaml'), 'utf8'));
  assert.equal(docs.length, 1);
  assert.deepEqual(docs[0]!.errors, []);
  const job = docs[0]!.toJS() as {
    apiVersion: string;
    kind: string;
    spec: { completionMode: string; parallelism: number; completions: number; template: { spec: { restartPolicy: string; containers: { image: string; command?: string[]; args: string[] }[]; initContainers?: { args: string[] }[] } } };
  };
  assert.equal(job.apiVersion, 'batch/v1');
  assert.equal(job.kind, 'Job');
  assert.equal(job.spec.completionMode, 'Indexed');
  assert.ok(Number.isInteger(job.spec.parallelism) && job.spec.parallelism > 1);
  assert.equal(job.spec.completions, job.spec.parallelism);
  const pod = job.spec.template.spec;
  assert.ok(['OnFailure', 'Never'].includes(pod.restartPolicy));
  const ran = [...(pod.initContainers ?? []), ...pod.containers].map((c, i) => checkCommand(c.args, `container ${i}`));
  assert.ok(ran.includes('worker'), `the Job runs lisht worker (it runs: ${ran.join(', ')})`);
});

test('deploy/Dockerfile: its entry point is lisht and its default command exists', () => {
  const text = readFileSync(join(REPO_ROOT, 'deploy/Dockerfile'), 'utf8');
  const instruction = (name: string) => {
    const line = text.split('\n').find((l) => l.startsWith(`${name} `));
    assert.ok(line, `the Dockerfile has ${name}`);
    return JSON.parse(line.slice(name.length + 1)) as string[];
  };
  assert.match(text, /^FROM node:20/m);
  assert.deepEqual(instruction('ENTRYPOINT'), ['lisht']);
  assert.equal(checkCommand(instruction('CMD'), 'CMD'), 'worker');
  // The comments' docker run line runs a lisht command too.
  const run = /docker run .*? lisht-worker:\S+ (.*)$/m.exec(text);
  assert.ok(run);
  checkCommand(run[1]!.split(/\s+/), 'docker run');
});

test('docs/distributed.md and the README: every lisht command line names a command and flags that exist', () => {
  let checked = 0;
  for (const file of ['docs/distributed.md', 'README.md']) {
    const text = readFileSync(join(REPO_ROOT, file), 'utf8');
    for (const block of text.matchAll(/```(?:sh|bash|console)?\n([\s\S]*?)```/g)) {
      for (const raw of block[1]!.split('\n')) {
        const line = raw.replace(/#.*$/, '').trim();
        if (!line.startsWith('lisht ')) continue;
        checkCommand(line.split(/\s+/).slice(1), `${file}: ${line}`);
        checked++;
      }
    }
  }
  assert.ok(checked >= 8, `${checked} command lines checked`);
});
