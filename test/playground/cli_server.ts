/** `lisht playground` as a child process: started on a free port, its address read from stdout. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/env.js';

export interface RunningPlayground {
  url: string;
  child: ChildProcess;
  stop(): Promise<number | null>;
}

/** Starts the real CLI with `args` (plus `--port 0`); resolves once it prints its address. */
export function startPlaygroundCli(args: string[]): Promise<RunningPlayground> {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'dist/src/cli/main.js'), 'playground', '--port', '0', ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`lisht playground printed no address in 20 s: ${out}${err}`)), 20_000);
    child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const match = /lisht playground: (http:\/\/\S+\/)/.exec(out);
      if (!match) return;
      clearTimeout(timer);
      resolve({
        url: match[1],
        child,
        stop: () =>
          new Promise((done) => {
            child.once('exit', (code) => done(code));
            child.kill('SIGTERM');
          }),
      });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`lisht playground exited with ${code}: ${err}`));
    });
  });
}
