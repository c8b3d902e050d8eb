/**
 * The article's experiment, live: the seed CNN trained in the page on CIFAR-10 (the archive
 * `lisht playground --data` serves, or one dropped on the page), one activation after the
 * other from the same initial weights, with Keras's progress bar, accuracy curves, the model
 * summary and per-layer dead-unit counts.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { getActivation } from '../../activations/zoo.js';
import { parseCifarArchive } from '../../datasets/cifar_bytes.js';
import type { ImageDataset } from '../../datasets/types.js';
import { measureGradientFlow, probeBatch } from '../../diagnostics/gradient_flow.js';
import { buildSeedCnn } from '../../models/seed_cnn.js';
import { formatModelSummary, modelSummary } from '../../models/summary.js';
import type { BatchLogs, Callback, EpochLogs, TrainBeginInfo } from '../../training/callbacks.js';
import { exampleSets } from '../../training/data.js';
import { fit } from '../../training/fit.js';
import { createAdam } from '../../training/optimizers.js';
import { ProgressBar, type ProgressStream } from '../../training/progress.js';
import { DATA_URL } from '../paths.js';
import { COLOR_A, COLOR_B } from './explorer.js';
import { drawChart, type Series } from './plot.js';
import type { PageState } from './state.js';

/** What one activation's run reached. */
export interface CnnResult {
  activation: string;
  steps: number;
  trainAccuracy: number;
  valAccuracy: number;
  /** Per activation layer: units that output exactly 0 on the whole probe batch. */
  dead: Array<{ layer: string; dead: number; units: number }>;
}

/** A `<pre>` that behaves like a terminal for the progress bar: `\r` rewrites the last line. */
function terminal(pre: HTMLElement): ProgressStream {
  let lines: string[] = [''];
  return {
    isTTY: true,
    columns: 110,
    write(text: string) {
      for (const part of text.replace(/\x1b\[K/g, '').split(/(\r|\n)/)) {
        if (part === '\r') lines[lines.length - 1] = '';
        else if (part === '\n') lines.push('');
        else lines[lines.length - 1] += part;
      }
      lines = lines.slice(-14);
      pre.textContent = lines.join('\n');
    },
  };
}

/** Lets the browser paint between training steps. */
const nextFrame = () => new Promise<void>((r) => {
  requestAnimationFrame(() => r());
  setTimeout(r, 50);
});

interface Curve {
  x: number[];
  train: number[];
  valX: number[];
  val: number[];
}

export class CifarExperiment {
  private dataset?: ImageDataset;
  private controller?: AbortController;
  results: CnnResult[] = [];
  status: 'no data' | 'loading' | 'ready' | 'training' | 'done' | 'error' = 'no data';
  private curves: Curve[] = [];

  constructor(
    private readonly root: HTMLElement,
    private readonly onError: (message: string) => void,
  ) {}

  private message(text: string, kind: 'info' | 'error' = 'info'): void {
    const el = this.root.querySelector<HTMLElement>('#cnn-message')!;
    el.textContent = text;
    el.className = kind === 'error' ? 'message error' : 'message';
  }

  /** Loads the archive the server offers, if it offers one. */
  async loadServed(): Promise<boolean> {
    const head = await fetch(DATA_URL, { method: 'HEAD' }).catch(() => undefined);
    if (!head?.ok) {
      this.message('No data set served. Drop a CIFAR-10 binary archive (cifar-10-binary.tar.gz) on this box, or start the page with lisht playground --data PATH.');
      return false;
    }
    this.status = 'loading';
    this.message('Loading the CIFAR-10 archive the server offers…');
    const response = await fetch(DATA_URL);
    return this.load('cifar-10-binary.tar.gz (served)', new Uint8Array(await response.arrayBuffer()));
  }

  /** Loads a file the user dropped or chose. */
  async loadFile(file: File): Promise<boolean> {
    this.status = 'loading';
    this.message(`Reading ${file.name}…`);
    return this.load(file.name, new Uint8Array(await file.arrayBuffer()));
  }

  private async load(name: string, bytes: Uint8Array): Promise<boolean> {
    try {
      const dataset = await parseCifarArchive(name, bytes);
      this.dataset = dataset;
      this.status = 'ready';
      this.message(`${name}: ${dataset.train.count.toLocaleString('en')} training and ${dataset.test.count.toLocaleString('en')} test images, checked. Ready to train.`);
      return true;
    } catch (err) {
      this.status = this.dataset ? 'ready' : 'error';
      this.message(`${(err as Error).message}${this.dataset ? ' (keeping the data set loaded before)' : ''}`, 'error');
      return false;
    }
  }

  stop(): void {
    this.controller?.abort();
  }

  /** Trains the seed CNN with activation a, then b, from the same initial weights. */
  async run(state: PageState): Promise<void> {
    if (!this.dataset) {
      this.message('Load a CIFAR-10 archive first (drop it on this box).', 'error');
      return;
    }
    if (this.status === 'training') return;
    this.status = 'training';
    this.controller = new AbortController();
    this.results = [];
    this.curves = [];
    const sets = exampleSets(this.dataset, { train: state.train, test: state.test });
    const probe = probeBatch(sets.test, Math.min(100, sets.test.count));
    const terminalOut = terminal(this.root.querySelector<HTMLElement>('#cnn-progress')!);
    const steps = Math.ceil(sets.train.count / state.batch);
    try {
      for (const [i, activation] of [state.a, state.b].entries()) {
        const model = buildSeedCnn({ inputShape: [32, 32, 3], numClasses: 10, activation, seed: 1 });
        if (i === 0) this.root.querySelector('#cnn-summary')!.textContent = formatModelSummary(modelSummary(model));
        const curve: Curve = { x: [], train: [], valX: [], val: [] };
        this.curves.push(curve);
        const result: CnnResult = { activation, steps: 0, trainAccuracy: NaN, valAccuracy: NaN, dead: [] };
        this.results.push(result);
        const live: Callback = {
          onTrainBegin: (_info: TrainBeginInfo) => undefined,
          onBatchEnd: async (step: number, logs: BatchLogs) => {
            result.steps++;
            curve.x.push(curve.valX.length + (step + 1) / steps);
            curve.train.push(logs.accuracy);
            result.trainAccuracy = logs.accuracy;
            this.drawCurves(state);
            await nextFrame();
          },
          onEpochEnd: async (epoch: number, logs: EpochLogs) => {
            curve.valX.push(epoch + 1);
            curve.val.push(logs.val_accuracy ?? NaN);
            result.valAccuracy = logs.val_accuracy ?? NaN;
            result.dead = await deadUnits(model, probe);
            this.drawCurves(state);
            this.drawDead(state);
          },
        };
        terminalOut.write(`${getActivation(activation).label}\n`);
        const outcome = await fit(model, sets.train, {
          optimizer: createAdam(),
          epochs: state.epochs,
          batchSize: state.batch,
          seed: 1,
          validation: sets.test,
          callbacks: [new ProgressBar(terminalOut), live],
          signal: this.controller.signal,
        });
        model.dispose();
        if (outcome.interrupted) {
          this.message('Stopped.');
          this.status = 'ready';
          return;
        }
      }
      this.status = 'done';
      this.message(
        `Done: ${this.results.map((r) => `${getActivation(r.activation).label} ${(100 * r.valAccuracy).toFixed(1)}% test accuracy`).join(', ')} (${state.train} training images, ${state.epochs} epoch${state.epochs > 1 ? 's' : ''}).`,
      );
    } catch (err) {
      this.status = 'error';
      this.onError(`training the seed CNN failed: ${(err as Error).message}`);
      this.message(`Training failed: ${(err as Error).message}`, 'error');
    }
  }

  private drawCurves(state: PageState): void {
    const colors = [COLOR_A, COLOR_B];
    const series: Series[] = [];
    this.curves.forEach((c, i) => {
      const label = getActivation(i === 0 ? state.a : state.b).label;
      series.push({ label: `${label} train`, color: colors[i], xs: c.x, ys: c.train });
      series.push({ label: `${label} test`, color: colors[i], xs: c.valX, ys: c.val, dash: [5, 4], dots: true });
    });
    // Short runs stay far below 1: scale to what was reached, in steps of 0.1.
    const best = Math.max(0, ...this.curves.flatMap((c) => [...c.train, ...c.val].filter(Number.isFinite)));
    const top = Math.min(1, Math.max(0.5, Math.ceil((best + 0.05) * 10) / 10));
    drawChart(this.root.querySelector<HTMLCanvasElement>('#cnn-accuracy')!, series, { title: 'accuracy', xLabel: 'epoch', xRange: [0, state.epochs], yRange: [0, top] });
  }

  private drawDead(state: PageState): void {
    const table = this.root.querySelector<HTMLTableElement>('#cnn-dead')!;
    table.replaceChildren();
    const head = table.createTHead().insertRow();
    const labels = this.results.map((r) => getActivation(r.activation).label);
    for (const text of ['layer', ...labels.map((l) => `${l}: dead units`)]) {
      const th = document.createElement('th');
      th.textContent = text;
      head.append(th);
    }
    const body = table.createTBody();
    const first = this.results[0]?.dead ?? [];
    first.forEach((row, k) => {
      const tr = body.insertRow();
      tr.insertCell().textContent = `${k + 1}: ${row.units} units`;
      for (const r of this.results) {
        const d = r.dead[k];
        tr.insertCell().textContent = d ? `${d.dead} / ${d.units}` : '…';
      }
    });
    void state;
  }
}

/** Units of every activation layer that are 0 for the whole probe batch. */
async function deadUnits(model: tfl.LayersModel, probe: ReturnType<typeof probeBatch>): Promise<CnnResult['dead']> {
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
