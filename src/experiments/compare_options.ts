import { z } from 'zod';
import { UserError } from '../errors.js';

const positiveInt = z.number().int().positive();

/** Options of {@link compare}; every field has the article's default. */
export const CompareOptionsSchema = z.object({
  dataset: z.string().min(1).default('cifar10'),
  /** A local archive or folder to read the data set from (no download). */
  data: z.string().min(1).optional(),
  model: z.string().min(1).default('seed-cnn'),
  activations: z.array(z.string().min(1)).min(1).default(['lisht', 'relu']),
  epochs: positiveInt.default(50),
  batchSize: positiveInt.default(100),
  /** Seed of initial weights and shuffling; drawn at random (and recorded) when absent. */
  seed: z.number().int().nonnegative().max(2 ** 31 - 1).optional(),
  limitTrain: positiveInt.optional(),
  limitTest: positiveInt.optional(),
  backend: z.string().min(1).default('auto'),
  /** Output folder; default `runs/<dataset>-<timestamp>`. */
  out: z.string().min(1).optional(),
  /** Continue the comparison in this folder from its last finished epoch. */
  resume: z.string().min(1).optional(),
});

export type CompareOptions = z.input<typeof CompareOptionsSchema>;
export type ParsedCompareOptions = z.output<typeof CompareOptionsSchema>;

/** Validates options, naming the offending field in the error. */
export function parseCompareOptions(options: CompareOptions): ParsedCompareOptions {
  const parsed = CompareOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError(`invalid option ${issue.path.join('.') || '(options)'}: ${issue.message}`);
  }
  return parsed.data;
}
