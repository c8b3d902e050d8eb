/**
 * Shared pieces of the experiment tests: spec files, data, running the CLI, reading the
 * database back.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { cifar10Fixture, irisData, tarGz } from '../../helpers/archives.js';
import { REPO_ROOT, SHARED_DATASETS } from '../../helpers/env.js';

export const CLI = join(REPO_ROOT, 'dist/src/cli/main.js');
export const REAL_IRIS = join(SHARED_DATASETS, 'iris-sklearn.csv');
export const skipNoIris = existsSync(REAL_IRIS) ? false : `real Iris not found at ${REAL_IRIS}`;

/** The real Iris file when present, else a small file in UCI's format written to `dir`. */
export function irisPath(dir: string): string {
  if (existsSync(REAL_IRIS)) return REAL_IRIS;
  const path = join(dir, 'iris.data');
  writeFileSync(path, irisData(50));
  return path;
}

/** A small CIFAR-10 archive in the official layout (100 training, 30 test images). */
export function cifarFixture(dir: string): string {
  const path = join(dir, 'cifar-10-binary.tar.gz');
  writeFileSync(path, tarGz(cifar10Fixture({ perBatch: [20, 20, 20, 20, 20], test: 30 }).entries));
  return path;
}

/** Writes a YAML spec and returns its path. */
export function writeSpec(dir: string, name: string, yaml: string): string {
  const path = join(dir, name);
  writeFileSync(path, yaml);
  return path;
}

/** The test spec of the issue: Iris, MLP, 3 seeds x 2 activations. */
export function irisSpec(dir: string, options: { name?: string; epochs?: number } = {}): string {
  return writeSpec(
    dir,
    `${options.name ?? 'iris-test'}.yaml`,
    `name: ${options.name ?? 'iris-test'}
datasets:
  - name: iris
    targetAccuracy: 0.8
models:
  - { name: mlp, hiddenUnits: [16, 8] }
activations: [lisht, relu]
seeds: 3
epochs: ${options.epochs ?? 6}
batchSize: 16
optimizer: { name: adam, learningRate: 0.01 }
backend: wasm
paper:
  source: test
  results:
    - { dataset: iris, activation: lisht, accuracy: 0.9733 }
`,
  );
}

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Run as this user (root only). */
  uid?: number;
  gid?: number;
  /** What `onStdout` returning true sends to the group; default SIGKILL (a power cut). */
  signal?: NodeJS.Signals;
}

/**
 * Runs the CLI in its own process group (so the whole group, workers included, can be
 * signalled at once, as a power cut or a terminal's Ctrl-C does). `onStdout` sees the output
 * so far and may return true to signal the group.
 */
export function runCliGroup(args: string[], onStdout?: (soFar: string) => boolean, options: RunOptions = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const { signal = 'SIGKILL', ...user } = options;
    const child: ChildProcess = spawn(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'], ...user });
    let stdout = '';
    let stderr = '';
    let killed = false;
    child.stdout!.on('data', (c: Buffer) => {
      stdout += c.toString();
      if (!killed && onStdout?.(stdout)) {
        killed = true;
        process.kill(-child.pid!, signal);
      }
    });
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Rows of a query on a database, opened read-only. */
export function query<T = Record<string, unknown>>(db: string, sql: string, ...params: unknown[]): T[] {
  const d = new Database(db, { readonly: true });
  try {
    return d.prepare(sql).all(...params) as T[];
  } finally {
    d.close();
  }
}

/** Every stored epoch's metrics (seconds aside, which differ between runs), by trial config. */
export function epochMetrics(db: string): unknown[] {
  return query(
    db,
    `SELECT t.activation, t.seed, e.epoch, e.loss, e.accuracy, e.val_loss, e.val_accuracy
     FROM epochs e JOIN trials t ON t.id = e.trial_id ORDER BY t.activation, t.seed, e.epoch`,
  );
}

/** Final results per trial, comparable between databases. */
export function finalResults(db: string): unknown[] {
  return query(
    db,
    `SELECT activation, seed, status, epochs_done, test_loss, test_accuracy, train_loss, train_accuracy, best_test_accuracy, best_epoch, params
     FROM trials ORDER BY activation, seed`,
  );
}
