/**
 * The toy classifier: two small networks, identical but for their activation and started from
 * the same initial weights, trained side by side on a 2-D data set, their decision surfaces
 * redrawn as they learn. Full batch: one step is one epoch, as TensorFlow Playground counts.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { getActivation } from '../../activations/zoo.js';
import { trainableVariables, trainStep } from '../../training/fit.js';
import { COLOR_A, COLOR_B } from './explorer.js';
import { context2d, drawChart } from './plot.js';
import type { PageState } from './state.js';
import { toyPoints, type ToyPoints } from './toy_data.js';

const SPAN = 6;
const GRID = 48;
const STEPS_PER_FRAME = 4;

interface Side {
  activation: string;
  model: tfl.Sequential;
  optimizer: tf.Optimizer;
  vars: tf.Variable[];
  losses: number[];
  /** Test loss, measured at every redraw: its steps in `testSteps`. */
  testLosses: number[];
  testSteps: number[];
  accuracy: number;
  testAccuracy: number;
}

/** Same seeds for both sides: the same initial weights, whatever the activation. */
function buildNetwork(activation: string, layers: number[]): tfl.Sequential {
  const model = tfl.sequential();
  layers.forEach((units, i) => {
    model.add(tfl.layers.dense({ units, inputShape: i === 0 ? [2] : undefined, kernelInitializer: tfl.initializers.glorotUniform({ seed: 1000 + i }) }));
    model.add(getActivation(activation).layer());
  });
  model.add(tfl.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: tfl.initializers.glorotUniform({ seed: 2000 }) }));
  return model;
}

/**
 * The two classes, in colours that are neither activation's (orange A, blue B), so a point's
 * colour never reads as "belongs to A" (issue 24); the page's legend (index.html) uses them.
 */
export const CLASS_RGB = [
  [92, 54, 160],
  [47, 158, 68],
];

export class ToyClassifier {
  private sides: Side[] = [];
  private train!: ToyPoints;
  private test!: ToyPoints;
  private trainX?: tf.Tensor2D;
  private trainY?: tf.Tensor1D;
  private testX?: tf.Tensor2D;
  private testY?: tf.Tensor1D;
  private gridX?: tf.Tensor2D;
  private running = false;
  private steps = 0;
  /** Resolves when a run started by `run()` ends. */
  finished: Promise<void> = Promise.resolve();

  constructor(
    private readonly root: HTMLElement,
    private readonly onError: (message: string) => void,
  ) {}

  get step(): number {
    return this.steps;
  }

  /** Rebuilds data and networks from the page state (activations, data set, layers, lr). */
  reset(state: PageState): void {
    this.running = false;
    this.dispose();
    this.steps = 0;
    this.train = toyPoints(state.data, 300, 1, state.noise / 100);
    this.test = toyPoints(state.data, 200, 2, state.noise / 100);
    this.trainX = tf.tensor2d(this.train.xy.map((v) => v / SPAN), [this.train.count, 2]);
    this.trainY = tf.tensor1d(this.train.labels, 'int32');
    this.testX = tf.tensor2d(this.test.xy.map((v) => v / SPAN), [this.test.count, 2]);
    this.testY = tf.tensor1d(this.test.labels, 'int32');
    const cells = new Float32Array(GRID * GRID * 2);
    for (let r = 0; r < GRID; r++) {
      for (let c = 0; c < GRID; c++) {
        cells[2 * (r * GRID + c)] = ((c + 0.5) / GRID) * 2 - 1;
        cells[2 * (r * GRID + c) + 1] = 1 - ((r + 0.5) / GRID) * 2;
      }
    }
    this.gridX = tf.tensor2d(cells, [GRID * GRID, 2]);
    this.sides = [state.a, state.b].map((activation) => {
      const model = buildNetwork(activation, state.layers);
      return { activation, model, optimizer: tf.train.adam(state.lr), vars: trainableVariables(model), losses: [], testLosses: [], testSteps: [], accuracy: NaN, testAccuracy: NaN };
    });
    void this.draw();
  }

  /** Trains until paused, or for `limit` steps when given. */
  run(limit = 0): Promise<void> {
    if (this.running) return this.finished;
    this.running = true;
    this.finished = (async () => {
      try {
        while (this.running && (limit === 0 || this.steps < limit)) {
          for (let k = 0; k < STEPS_PER_FRAME && (limit === 0 || this.steps < limit); k++) await this.trainOnce();
          await this.draw();
          await new Promise((r) => requestAnimationFrame(r));
        }
      } catch (err) {
        this.onError(`the toy classifier stopped: ${(err as Error).message}`);
      } finally {
        this.running = false;
      }
    })();
    return this.finished;
  }

  pause(): void {
    this.running = false;
  }

  /** One step of both networks (TensorFlow Playground's step button); not while running. */
  async stepOnce(): Promise<void> {
    if (this.running) return;
    try {
      await this.trainOnce();
      await this.draw();
    } catch (err) {
      this.onError(`the toy classifier stopped: ${(err as Error).message}`);
    }
  }

  private async trainOnce(): Promise<void> {
    for (const side of this.sides) {
      const { loss, correct } = await trainStep(side.model, side.optimizer, side.vars, this.trainX!, this.trainY!);
      side.losses.push(loss);
      side.accuracy = correct / this.train.count;
    }
    this.steps++;
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Loss and accuracy of `side` on (x, y), as predicted now. */
  private async evaluate(side: Side, x: tf.Tensor2D, y: tf.Tensor1D): Promise<{ loss: number; accuracy: number }> {
    const [loss, hits] = tf.tidy(() => {
      const p = side.model.predict(x) as tf.Tensor2D;
      const picked = tf.sum(tf.mul(p, tf.oneHot(y, 2)), 1);
      return [tf.neg(tf.mean(tf.log(tf.maximum(picked, 1e-7)))), tf.sum(tf.cast(tf.equal(tf.argMax(p, 1), y), 'float32'))];
    });
    const [l, h] = [(await loss.data())[0], (await hits.data())[0]];
    tf.dispose([loss, hits]);
    return { loss: l, accuracy: h / x.shape[0] };
  }

  private async draw(): Promise<void> {
    for (const [i, side] of this.sides.entries()) {
      const probs = tf.tidy(() => tf.slice(side.model.predict(this.gridX!) as tf.Tensor2D, [0, 1], [-1, 1]));
      const p = (await probs.data()) as Float32Array;
      probs.dispose();
      const test = await this.evaluate(side, this.testX!, this.testY!);
      side.testAccuracy = test.accuracy;
      if (side.testSteps[side.testSteps.length - 1] !== this.steps) {
        side.testSteps.push(this.steps);
        side.testLosses.push(test.loss);
      }
      // Before the first step, train accuracy is measured as test accuracy is (issue 24: it showed "-").
      if (this.steps === 0) side.accuracy = (await this.evaluate(side, this.trainX!, this.trainY!)).accuracy;
      const key = i === 0 ? 'a' : 'b';
      const canvas = this.root.querySelector<HTMLCanvasElement>(`#surface-${key}`)!;
      this.drawSurface(canvas, p);
      const label = getActivation(side.activation).label;
      canvas.setAttribute('aria-label', `decision surface of the ${label} network (${key.toUpperCase()}): the two classes' regions and the training points`);
      this.root.querySelector(`#toy-stats-${key}`)!.textContent =
        `${label}: step ${this.steps}, loss ${side.losses.length ? side.losses[side.losses.length - 1].toFixed(4) : test.loss.toFixed(4)}, train accuracy ${side.accuracy.toFixed(3)}, test accuracy ${side.testAccuracy.toFixed(3)}`;
    }
    this.root.querySelector('#toy-epoch')!.textContent = `epoch ${this.steps.toLocaleString('en')}`;
    const colors = [COLOR_A, COLOR_B];
    const name = (s: Side, i: number) => getActivation(s.activation).label + (i === 1 && s.activation === this.sides[0].activation ? ' (B)' : '');
    drawChart(
      this.root.querySelector<HTMLCanvasElement>('#toy-loss')!,
      this.sides.flatMap((s, i) => [
        { label: `${name(s, i)} train`, color: colors[i], xs: s.losses.map((_, k) => k + 1), ys: s.losses },
        { label: `${name(s, i)} test`, color: colors[i], xs: s.testSteps, ys: s.testLosses, dash: [5, 4] },
      ]),
      { title: 'loss', xLabel: 'step', xRange: [0, Math.max(10, this.steps)] },
    );
  }

  private drawSurface(canvas: HTMLCanvasElement, p: Float32Array): void {
    const { ctx, width, height } = context2d(canvas);
    const image = new ImageData(GRID, GRID);
    for (let k = 0; k < GRID * GRID; k++) {
      const q = p[k];
      const [r, g, b] = CLASS_RGB[q >= 0.5 ? 1 : 0];
      const strength = Math.min(1, Math.abs(q - 0.5) * 2) * 0.75 + 0.1;
      image.data[4 * k] = Math.round(255 + (r - 255) * strength);
      image.data[4 * k + 1] = Math.round(255 + (g - 255) * strength);
      image.data[4 * k + 2] = Math.round(255 + (b - 255) * strength);
      image.data[4 * k + 3] = 255;
    }
    const buffer = new OffscreenCanvas(GRID, GRID);
    buffer.getContext('2d')!.putImageData(image, 0, 0);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(buffer, 0, 0, width, height);
    for (let k = 0; k < this.train.count; k++) {
      const x = ((this.train.xy[2 * k] / SPAN + 1) / 2) * width;
      const y = ((1 - this.train.xy[2 * k + 1] / SPAN) / 2) * height;
      const [r, g, b] = CLASS_RGB[this.train.labels[k]];
      ctx.beginPath();
      ctx.arc(x, y, 3.2, 0, 2 * Math.PI);
      ctx.fillStyle = `rgb(${r},${g},${b})`;
      ctx.fill();
      ctx.strokeStyle = '#ffffff';
      ctx.lineWidth = 1;
      ctx.stroke();
    }
  }

  private dispose(): void {
    for (const side of this.sides) {
      side.model.dispose();
      side.optimizer.dispose();
    }
    for (const t of [this.trainX, this.trainY, this.testX, this.testY, this.gridX]) t?.dispose();
    this.sides = [];
  }
}
