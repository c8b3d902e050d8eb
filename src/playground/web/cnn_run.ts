/**
 * The article's experiment as the CNN's Web Worker runs it: the seed CNN trained with A, then
 * B, from the same initial weights, reporting every step and epoch through `post`. No DOM here:
 * the page draws what it is told.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { ImageDataset } from '../../datasets/types.js';
import { measureGradientFlow, probeBatch } from '../../diagnostics/gradient_flow.js';
import { buildSeedCnn } from '../../models/seed_cnn.js';
import { formatModelSummary, modelSummary } from '../../models/summary.js';
import type { BatchLogs, Callback, EpochLogs } from '../../training/callbacks.js';
import { exampleSets } from '../../training/data.js';
import { fit } from '../../training/fit.js';
import { createAdam } from '../../training/optimizers.js';
import { ProgressBar } from '../../training/progress.js';
import type { DeadCount, RunSettings, WorkerToPage } from './cnn_protocol.js';

/**
 * Hands the worker's event loop a turn, so a "stop" message posted by the page is read
 * between two steps (awaiting a settled promise alone would never let it in).
 */
const yieldToMessages = () => new Promise<void>((r) => setTimeout(r, 0));

/** Trains A then B; resolves to how the run ended. `signal` stops it after the current step. */
export async function trainPair(dataset: ImageDataset, settings: RunSettings, signal: AbortSignal, post: (m: WorkerToPage) => void): Promise<'done' | 'stopped'> {
  const sets = exampleSets(dataset, { train: settings.train, test: settings.test });
  const probe = probeBatch(sets.test, Math.min(100, sets.test.count));
  const steps = Math.ceil(sets.train.count / settings.batch);
  for (const [index, activation] of [settings.a, settings.b].entries()) {
    const model = buildSeedCnn({ inputShape: [32, 32, 3], numClasses: 10, activation, seed: 1 });
    try {
      if (index === 0) post({ type: 'summary', text: formatModelSummary(modelSummary(model)) });
      post({ type: 'begin', index, activation });
      let epochsDone = 0;
      const live: Callback = {
        onBatchEnd: async (step: number, logs: BatchLogs) => {
          post({ type: 'batch', index, x: epochsDone + (step + 1) / steps, accuracy: logs.accuracy, loss: logs.loss });
          await yieldToMessages();
        },
        onEpochEnd: async (epoch: number, logs: EpochLogs) => {
          epochsDone = epoch + 1;
          const dead = await deadUnits(model, probe);
          post({ type: 'epoch', index, epoch, valAccuracy: logs.val_accuracy ?? NaN, valLoss: logs.val_loss ?? NaN, dead });
        },
      };
      // A wide "terminal": the progress bar cuts lines at `columns`, and the page wraps them instead.
      const stream = { isTTY: true, columns: 1000, write: (text: string) => post({ type: 'progress', index, text }) };
      const outcome = await fit(model, sets.train, {
        optimizer: createAdam(),
        epochs: settings.epochs,
        batchSize: settings.batch,
        seed: 1,
        validation: sets.test,
        callbacks: [new ProgressBar(stream), live],
        signal,
      });
      if (outcome.interrupted) return 'stopped';
    } finally {
      model.dispose();
    }
  }
  return 'done';
}

/** Units of every activation layer that are 0 for the whole probe batch. */
async function deadUnits(model: tfl.LayersModel, probe: ReturnType<typeof probeBatch>): Promise<DeadCount[]> {
  const x = probe.set.inputs(probe.indices, 0, probe.indices.length);
  const y = probe.set.targets(probe.indices, 0, probe.indices.length);
  try {
    const flow = await measureGradientFlow(model, x, y, 0);
    return flow.layers
      .filter((l) => l.activation !== null)
      .map((l) => ({ layer: l.layer, units: l.activation!.units, dead: Math.round(l.activation!.dead_fraction * l.activation!.units) }));
  } finally {
    tf.dispose([x, y]);
  }
}
