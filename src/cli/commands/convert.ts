import { COMMANDS } from './catalog.js';
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { selectBackend } from '../../backends/select.js';
import { UserError } from '../../errors.js';
import { EXIT } from '../../exit_codes.js';
import { loadKerasModelFile, saveKerasH5Model, saveKerasModel } from '../../keras/files.js';
import { saveModel } from '../../training/model_files.js';

interface Flags {
  force?: boolean;
}

/** What OUT's name asks for: a `.keras` file, a legacy `.h5` file or a TensorFlow.js model folder. */
function outputKind(out: string): 'keras' | 'h5' | 'tfjs' {
  if (out.endsWith('.keras')) return 'keras';
  if (out.endsWith('.h5') || out.endsWith('.hdf5')) return 'h5';
  if (out.endsWith('.json')) throw new UserError(`name the TensorFlow.js output by its folder, not ${out}`, EXIT.USAGE);
  return 'tfjs';
}

export function register(program: Command): void {
  program
    .command('convert')
    .description(COMMANDS.convert.description)
    .argument('<in>', 'a .keras or .h5 file, or a TensorFlow.js model folder (or its model.json)')
    .argument('<out>', 'a .keras or .h5 file, or a folder for the TensorFlow.js model')
    .option('--force', 'replace OUT if it exists')
    .action(async (input: string, out: string, flags: Flags) => {
      const kind = outputKind(out);
      if (existsSync(out) && flags.force !== true) throw new UserError(`${out} exists; pass --force to replace it`, EXIT.CANT_CREATE);
      await selectBackend('cpu');
      const { model, format, kerasVersion } = await loadKerasModelFile(input);
      try {
        if (kind === 'keras') await saveKerasModel(model, out);
        else if (kind === 'h5') await saveKerasH5Model(model, out);
        else await saveModel(model, out);
      } finally {
        model.dispose();
      }
      const from = format === 'tfjs' ? 'TensorFlow.js model' : `${format === 'keras' ? '.keras' : '.h5'} file`;
      process.stdout.write(`${input} (${from}${kerasVersion !== undefined ? `, Keras ${kerasVersion}` : ''}) -> ${out} (${{ keras: 'Keras 3 .keras', h5: 'Keras legacy .h5', tfjs: 'TensorFlow.js folder' }[kind]})\n`);
    });
}
