import type { Command } from 'commander';
import { selectBackend } from '../../backends/select.js';
import { parseDatasetName } from '../../datasets/registry.js';
import { DATASET_INPUTS } from '../../models/inputs.js';
import { getActivation } from '../../activations/zoo.js';
import { getModel } from '../../models/registry.js';
import { benchTraining } from '../../training/bench.js';
import { positiveInt } from '../flags.js';
import '../../index.js';

interface Flags {
  model: string;
  dataset: string;
  activation: string;
  backend: string;
  batchSize: number;
  steps: number;
  warmup: number;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('bench')
    .description('Time training steps of a model on a backend (median ms/step after warm-up)')
    .option('--model <name>', 'model architecture', 'seed-cnn')
    .option('--dataset <name>', 'data set that fixes the input shape and class count', 'cifar10')
    .option('--activation <name>', 'activation', 'lisht')
    .option('--backend <name>', 'auto, tensorflow, native, wasm or cpu', 'auto')
    .option('--batch-size <n>', 'batch size', positiveInt, 100)
    .option('--steps <n>', 'timed steps', positiveInt, 20)
    .option('--warmup <n>', 'untimed steps before timing (JIT, caches, memory pools settle)', positiveInt, 10)
    .option('--json', 'print one JSON object')
    .action(async (flags: Flags) => {
      getModel(flags.model);
      const activation = getActivation(flags.activation).name;
      const input = DATASET_INPUTS[parseDatasetName(flags.dataset)];
      const backend = await selectBackend(flags.backend);
      if (!flags.json) process.stdout.write(`Backend: ${backend}\n`);
      const result = await benchTraining({
        model: flags.model,
        activation,
        inputShape: input.inputShape,
        numClasses: input.numClasses,
        batchSize: flags.batchSize,
        steps: flags.steps,
        warmup: flags.warmup,
      });
      if (flags.json) {
        process.stdout.write(JSON.stringify(result) + '\n');
      } else {
        process.stdout.write(
          `${result.model} ${result.activation} on ${result.backend}, batch ${result.batch_size}: ` +
            `${result.ms_per_step.toFixed(1)} ms/step (median of ${result.steps}; min ${result.min_ms.toFixed(1)}, max ${result.max_ms.toFixed(1)}), ` +
            `${Math.round(result.images_per_sec)} images/s\n`,
        );
      }
    });
}
