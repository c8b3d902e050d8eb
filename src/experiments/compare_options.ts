import { z } from 'zod';
import { PRECISIONS } from '../backends/native/precision.js';
import { UserError } from '../errors.js';
import { OPTIMIZER_NAMES } from '../training/optimizers.js';
import { SCHEDULE_NAMES } from '../training/schedules.js';
import { MONITORS } from '../training/early_stopping.js';

const positiveInt = z.number().int().positive();

/**
 * Options of {@link compare}. Every field left out keeps the article's experiment: seed-cnn on
 * CIFAR-10, Adam (0.001, epsilon 1e-7), no schedule, no augmentation, no early stopping.
 */
export const CompareOptionsSchema = z
  .object({
    dataset: z.string().min(1).default('cifar10'),
    /** A local archive or folder to read the data set from (no download). */
    data: z.string().min(1).optional(),
    /** Default: the data set's default model (`defaultModelFor`). */
    model: z.string().min(1).optional(),
    activations: z.array(z.string().min(1)).min(1).default(['lisht', 'relu']),
    epochs: positiveInt.default(50),
    batchSize: positiveInt.default(100),
    /** Seed of initial weights, shuffling and augmentation; drawn at random (and recorded) when absent. */
    seed: z.number().int().nonnegative().max(2 ** 31 - 1).optional(),
    limitTrain: positiveInt.optional(),
    limitTest: positiveInt.optional(),
    backend: z.string().min(1).default('auto'),
    /** fp32, or bf16 (mixed_bfloat16 on the native backend: bf16 convolutions and matrix products, fp32 master weights). */
    precision: z.enum(PRECISIONS).default('fp32'),
    /** With bf16 on a CPU without AVX512-BF16: run oneDNN's emulated bf16 instead of refusing. */
    allowEmulatedBf16: z.boolean().optional(),
    /** Output folder; default `runs/<dataset>-<timestamp>`. */
    out: z.string().min(1).optional(),
    /** Continue the comparison in this folder from its last finished epoch. */
    resume: z.string().min(1).optional(),
    /** Replace the run in a non-empty `out` folder (its store, summary, charts, models, report). */
    force: z.boolean().default(false),
    optimizer: z.enum(OPTIMIZER_NAMES).default('adam'),
    /** Default 0.001 for Adam, 0.1 for SGD. */
    lr: z.number().positive().finite().optional(),
    /** SGD only; default 0.9. */
    momentum: z.number().min(0).lt(1).optional(),
    /** Coupled L2 weight decay; default 0 for Adam, 1e-4 for SGD. */
    weightDecay: z.number().nonnegative().finite().optional(),
    schedule: z.enum(SCHEDULE_NAMES).default('none'),
    /** Step schedule only: 1-based epochs from which the rate is divided by 10 once more. */
    milestones: z.array(z.number().int().min(2)).min(1).optional(),
    /** Pad-4 random crop and horizontal flip of training images. */
    augment: z.boolean().default(false),
    /** Early stopping patience (epochs); absent: no early stopping. */
    earlyStopping: z.number().int().nonnegative().optional(),
    earlyStoppingMonitor: z.enum(MONITORS).default('val_loss'),
    /** MNIST / Fashion-MNIST: split the official test set into train and test (for folders of t10k files only). */
    fromTestSet: z.boolean().default(false),
    /** `mlp` only: hidden layer widths. */
    hiddenUnits: z.array(positiveInt).min(1).optional(),
    /** Record per-layer gradient flow on a fixed probe batch before training and after every epoch (`--no-gradient-flow`: off). */
    gradientFlow: z.boolean().default(true),
  })
  .superRefine((o, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (o.momentum !== undefined && o.optimizer !== 'sgd') issue('momentum', "applies to optimizer 'sgd' only");
    if (o.milestones !== undefined) {
      if (o.schedule !== 'step') issue('milestones', "apply to schedule 'step' only");
      else if (o.milestones.some((m, i) => i > 0 && m <= o.milestones![i - 1])) issue('milestones', `must increase, got ${o.milestones.join(', ')}`);
    }
    if (o.earlyStopping === undefined && o.earlyStoppingMonitor !== 'val_loss') issue('earlyStoppingMonitor', 'needs earlyStopping (a patience)');
  });

export type CompareOptions = z.input<typeof CompareOptionsSchema>;

/** Every default of {@link CompareOptionsSchema}, for front ends that show or need them (the CLI). */
export const COMPARE_DEFAULTS = CompareOptionsSchema.parse({});
export type ParsedCompareOptions = z.output<typeof CompareOptionsSchema>;

/** `weightDecay` -> `--weight-decay`, so errors name the flag as well as the field. */
export function flagName(field: string): string {
  return `--${field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** Validates options, naming the offending field (and its command-line flag) in the error. */
export function parseCompareOptions(options: CompareOptions): ParsedCompareOptions {
  const parsed = CompareOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue.path.length > 0 ? String(issue.path[0]) : undefined;
    const name = field === undefined ? '(options)' : `${issue.path.join('.')} (${flagName(field)})`;
    throw new UserError(`invalid option ${name}: ${issue.message}`);
  }
  return parsed.data;
}
