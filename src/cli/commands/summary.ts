import type { Command } from 'commander';
import { selectBackend } from '../../backends/select.js';
import { parseDatasetName } from '../../datasets/registry.js';
import { DATASET_INPUTS } from '../../models/inputs.js';
import { getModel } from '../../models/registry.js';
import { formatModelSummary, modelSummary } from '../../models/summary.js';
import '../../index.js';

export function register(program: Command): void {
  program
    .command('summary')
    .description('Print the Keras-style summary of a model (layers, output shapes, parameters)')
    .option('--model <name>', 'model architecture', 'seed-cnn')
    .option('--dataset <name>', 'data set that fixes the input shape and class count', 'cifar10')
    .option('--activation <name>', 'activation', 'lisht')
    .option('--json', 'print the summary as JSON')
    .action(async (flags: { model: string; dataset: string; activation: string; json?: boolean }) => {
      const definition = getModel(flags.model);
      const input = DATASET_INPUTS[parseDatasetName(flags.dataset)];
      await selectBackend('cpu');
      const model = definition.build({ inputShape: input.inputShape, numClasses: input.numClasses, activation: flags.activation, seed: 1 });
      const summary = modelSummary(model);
      process.stdout.write((flags.json ? JSON.stringify(summary, null, 2) : formatModelSummary(summary)) + '\n');
    });
}
