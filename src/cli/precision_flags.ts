/** The `--precision` and `--allow-emulated-bf16` flags of compare, run, worker and bench. */
import { Option } from 'commander';
import { PRECISIONS } from '../backends/native/precision.js';

export function precisionOption(): Option {
  return new Option(
    '--precision <p>',
    'fp32, or bf16: bf16 convolutions and matrix products with fp32 accumulation and fp32 master weights (native backend; refused on a CPU without AVX512-BF16)',
  ).choices(PRECISIONS);
}

export const ALLOW_EMULATED_HELP = "with --precision bf16 on a CPU without AVX512-BF16: run oneDNN's emulated bf16 (slower) instead of refusing";
