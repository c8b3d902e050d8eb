import { COMMANDS } from './catalog.js';
import type { Command } from 'commander';
import { EXIT } from '../../exit_codes.js';
import { isLoopbackHost, startPlaygroundServer } from '../../playground/server.js';
import { writeSite } from '../../playground/site.js';
import { portNumber } from '../flags.js';

interface Flags {
  port: number;
  host: string;
  data?: string;
  build?: string;
}

export function register(program: Command): void {
  program
    .command('playground')
    .description(COMMANDS.playground.description)
    .option('--port <n>', 'port to listen on (0: any free port)', portNumber, 8080)
    .option('--host <address>', 'address to bind; anything but 127.0.0.1 exposes it to the network', '127.0.0.1')
    .option('--data <path>', 'a CIFAR-10 binary archive (.tar.gz) for the page to train on')
    .option('--build <dir>', 'write the static site into DIR (new or empty) instead of serving it')
    .action(async (flags: Flags) => {
      if (flags.build !== undefined) {
        const files = await writeSite(flags.build);
        process.stdout.write(`wrote the playground (${files.length} files) to ${flags.build}; serve it with COOP/COEP headers for wasm threads\n`);
        return;
      }
      const served = await startPlaygroundServer({ port: flags.port, host: flags.host, data: flags.data });
      if (!isLoopbackHost(flags.host)) {
        const what = flags.data ? `the page and the data set ${flags.data}` : 'the page';
        process.stderr.write(`lisht: warning: --host ${flags.host} opens ${what} to the network: anyone who reaches this machine's port ${new URL(served.url).port} can load them\n`);
      }
      process.stdout.write(`lisht playground: ${served.url}${flags.data ? ` (serving ${flags.data})` : ''}\nPress Ctrl+C to stop.\n`);
      await new Promise<void>((resolve) => {
        const stop = () => void served.close().then(resolve);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      process.exitCode = EXIT.OK;
    });
}
