import { COMMANDS } from './catalog.js';
import { Option, type Command } from 'commander';
import { applyPrecision, checkPrecisionRequest, type Precision } from '../../backends/native/precision.js';
import { selectBackend } from '../../backends/select.js';
import { ALLOW_EMULATED_HELP, precisionOption } from '../precision_flags.js';
import { getActivation } from '../../activations/zoo.js';
import { benchTraining } from '../../training/bench.js';
import { OPTIMIZER_NAMES, type OptimizerName } from '../../training/optimizers.js';
import { positiveInt } from '../flags.js';
import { resolveModelInput } from '../model_input.js';

interface Flags {
  model: string;
  dataset?: string;
  optimizer: OptimizerName;
  activation: string;
  backend: string;
  precision: Precision;
  allowEmulatedBf16?: boolean;
  batchSize: number;
  steps: number;
  warmup: number;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('bench')
    .description(COMMANDS.bench.description)
    .option('--model <name>', 'model architecture', 'seed-cnn')
    .option('--dataset <name>', 'data set that fixes the input shape and class count (default: the first the model fits)')
    .option('--activation <name>', 'activation', 'lisht')
    .option('--backend <name>', 'auto, tensorflow, native, wasm or cpu', 'auto')
    .addOption(precisionOption().default('fp32'))
    .option('--allow-emulated-bf16', ALLOW_EMULATED_HELP)
    .addOption(new Option('--optimizer <name>', 'optimizer, with its defaults').choices([...OPTIMIZER_NAMES]).default('adam'))
    .option('--batch-size <n>', 'batch size', positiveInt, 100)
    .option('--steps <n>', 'timed steps', positiveInt, 20)
    .option('--warmup <n>', 'untimed steps before timing (JIT, caches, memory pools settle)', positiveInt, 10)
    .option('--json', 'print one JSON object')
    .action(async (flags: Flags) => {
      const activation = getActivation(flags.activation).name;
      const { input } = resolveModelInput(flags.model, flags.dataset, [activation]);
      const allowEmulated = flags.allowEmulatedBf16 === true;
      checkPrecisionRequest(flags.precision, flags.backend, { allowEmulated });
      const backend = await selectBackend(flags.backend);
      applyPrecision(flags.precision, backend, { allowEmulated });
      if (!flags.json) process.stdout.write(`Backend: ${backend}, precision ${flags.precision}\n`);
      const result = {
        ...(await benchTraining({
        model: flags.model,
        activation,
        input,
        optimizer: { name: flags.optimizer },
        batchSize: flags.batchSize,
        steps: flags.steps,
        warmup: flags.warmup,
        })),
        precision: flags.precision,
      };
      if (flags.json) {
        process.stdout.write(JSON.stringify(result) + '\n');
      } else {
        process.stdout.write(
          `${result.model} ${result.activation} on ${result.backend} (${result.precision}), ${result.optimizer}, batch ${result.batch_size}: ` +
            `${result.ms_per_step.toFixed(1)} ms/step (median of ${result.steps}; min ${result.min_ms.toFixed(1)}, max ${result.max_ms.toFixed(1)}), ` +
            `${Math.round(result.images_per_sec)} images/s\n`,
        );
      }
    });
}
