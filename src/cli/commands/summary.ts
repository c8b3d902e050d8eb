import { COMMANDS } from './catalog.js';
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { selectBackend } from '../../backends/select.js';
import { loadKerasModelFile } from '../../keras/files.js';
import { formatModelSummary, modelSummary } from '../../models/summary.js';
import { positiveIntList } from '../flags.js';
import { resolveModelInput } from '../model_input.js';

interface Flags {
  model: string;
  dataset?: string;
  activation: string;
  hiddenUnits?: number[];
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('summary')
    .description(COMMANDS.summary.description)
    .option('--model <name>', "model architecture, or a model file: .keras, .h5, or a TensorFlow.js model folder", 'seed-cnn')
    .option('--dataset <name>', "data set that fixes the input shape and class count (default: the first the model fits, cifar10 for image models)")
    .option('--activation <name>', 'activation', 'lisht')
    .option('--hidden-units <list>', 'mlp: comma-separated hidden layer widths (default 256,128)', positiveIntList)
    .option('--json', 'print the summary as JSON')
    .action(async (flags: Flags) => {
      await selectBackend('cpu');
      const model = looksLikeFile(flags.model) ? (await loadKerasModelFile(flags.model)).model : buildNamed(flags);
      const summary = modelSummary(model);
      process.stdout.write((flags.json ? JSON.stringify(summary, null, 2) : formatModelSummary(summary)) + '\n');
    });
}

/** A --model value that names a file or folder rather than an architecture. */
function looksLikeFile(value: string): boolean {
  return /[/\\.]/.test(value) || existsSync(value);
}

function buildNamed(flags: Flags) {
  const { definition, input } = resolveModelInput(flags.model, flags.dataset, [flags.activation]);
  return definition.build({ ...input, activation: flags.activation, seed: 1, hiddenUnits: flags.hiddenUnits });
}
