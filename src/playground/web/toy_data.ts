/**
 * TensorFlow Playground's four classification data sets (circle, xor, gauss, spiral), with
 * its geometry: points in [-6, 6]^2, two classes, seeded so a URL always shows the same points.
 */
import { createRng, type Rng } from '../../random.js';
import type { ToyDataset } from './state.js';

export interface ToyPoints {
  /** x, y pairs, interleaved. */
  xy: Float32Array;
  /** 0 or 1 per point. */
  labels: Int32Array;
  count: number;
}

function normal(rng: Rng, mean: number, sd: number): number {
  const u = 1 - rng();
  const v = rng();
  return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

function uniform(rng: Rng, a: number, b: number): number {
  return a + (b - a) * rng();
}

/** `count` points of `kind` with noise `noise` (0..0.5, as TF Playground's slider / 100). */
export function toyPoints(kind: ToyDataset, count: number, seed: number, noise = 0.1): ToyPoints {
  const rng = createRng(`toy:${kind}:${seed}`);
  const xy = new Float32Array(2 * count);
  const labels = new Int32Array(count);
  const put = (i: number, x: number, y: number, label: number) => {
    xy[2 * i] = x;
    xy[2 * i + 1] = y;
    labels[i] = label;
  };
  for (let i = 0; i < count; i++) {
    const half = i < count / 2;
    switch (kind) {
      case 'circle': {
        const radius = 5;
        const r = half ? uniform(rng, 0, radius * 0.5) : uniform(rng, radius * 0.7, radius);
        const angle = uniform(rng, 0, 2 * Math.PI);
        const x = r * Math.sin(angle) + uniform(rng, -radius, radius) * noise;
        const y = r * Math.cos(angle) + uniform(rng, -radius, radius) * noise;
        put(i, x, y, Math.hypot(x, y) < radius * 0.5 ? 1 : 0);
        break;
      }
      case 'xor': {
        const pad = 0.3;
        let x = uniform(rng, -5, 5);
        x += x > 0 ? pad : -pad;
        let y = uniform(rng, -5, 5);
        y += y > 0 ? pad : -pad;
        put(i, x + uniform(rng, -5, 5) * noise, y + uniform(rng, -5, 5) * noise, x * y >= 0 ? 1 : 0);
        break;
      }
      case 'gauss': {
        const centre = half ? 2 : -2;
        const sd = 0.5 + noise * 3;
        put(i, normal(rng, centre, sd), normal(rng, centre, sd), half ? 1 : 0);
        break;
      }
      case 'spiral': {
        const n = count / 2;
        const k = half ? i : i - n;
        const r = (k / n) * 5;
        const t = (1.75 * k * 2 * Math.PI) / n + (half ? 0 : Math.PI);
        put(i, r * Math.sin(t) + uniform(rng, -1, 1) * noise * 5, r * Math.cos(t) + uniform(rng, -1, 1) * noise * 5, half ? 1 : 0);
        break;
      }
    }
  }
  return { xy, labels, count };
}
