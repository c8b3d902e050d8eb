/**
 * Keras's orthogonal initializer (the LSTM's recurrent kernel) computed in float64 JavaScript.
 * tfjs-layers' own builds its QR decomposition from hundreds of small tensor ops: 0.3 s on
 * wasm but 11 s on the cpu backend for a 128-unit LSTM, with a warning on every build.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { createRng, type Rng } from '../random.js';

type OrthogonalInitializer = ReturnType<typeof tfl.initializers.orthogonal>;
interface OrthogonalArgs {
  gain?: number;
  seed?: number;
}

// tfjs-layers exports the factory, not the class; subclassing the class keeps the initializer a
// genuine tfjs-layers `Orthogonal` (same class name and config), so saved models load anywhere.
const OrthogonalBase = tfl.initializers.orthogonal({}).constructor as new (args: OrthogonalArgs) => OrthogonalInitializer;

/** Standard normal draws (Box-Muller). */
function normals(count: number, rng: Rng): Float64Array {
  const out = new Float64Array(count);
  for (let i = 0; i < count; i += 2) {
    const u = 1 - rng();
    const v = rng();
    const r = Math.sqrt(-2 * Math.log(u));
    out[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < count) out[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return out;
}

/**
 * The Q of a QR decomposition of a random normal [n, m] matrix (n >= m), row-major, by modified
 * Gram-Schmidt on its columns. R's diagonal is positive by construction, which is the sign
 * correction Keras applies to make Q uniformly (Haar) distributed.
 */
export function randomOrthonormalColumns(n: number, m: number, rng: Rng): Float64Array {
  const a = normals(n * m, rng);
  for (let j = 0; j < m; j++) {
    for (let k = 0; k < j; k++) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += a[i * m + k] * a[i * m + j];
      for (let i = 0; i < n; i++) a[i * m + j] -= dot * a[i * m + k];
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += a[i * m + j] ** 2;
    norm = Math.sqrt(norm);
    for (let i = 0; i < n; i++) a[i * m + j] /= norm;
  }
  return a;
}

/**
 * Registered (src/register.ts) under tfjs-layers' own class name, so that loading any model with
 * an orthogonal initializer (checkpoints of the LSTM, when a run resumes) builds it with this one
 * too: loading runs the initializers before it overwrites the weights.
 */
export class JsOrthogonal extends OrthogonalBase {
  static readonly className = 'Orthogonal';

  constructor(private readonly settings: OrthogonalArgs) {
    super(settings);
  }

  override apply(shape: number[], dtype?: tf.DataType): tf.Tensor {
    const rows = shape.slice(0, -1).reduce((a, b) => a * b, 1);
    const cols = shape[shape.length - 1];
    const n = Math.max(rows, cols);
    const m = Math.min(rows, cols);
    const rng = this.settings.seed === undefined ? Math.random : createRng(`orthogonal:${this.settings.seed}`);
    const q = randomOrthonormalColumns(n, m, rng);
    const gain = this.settings.gain ?? 1;
    const out = new Float32Array(rows * cols);
    // Q is [n, m]; when the matrix is wider than tall it is Q transposed, so its rows are orthonormal.
    for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) out[rows >= cols ? i * cols + j : j * cols + i] = gain * q[i * m + j];
    return tf.tensor(out, shape, dtype === 'int32' ? 'int32' : 'float32');
  }
}


/** An orthogonal initializer like `tfl.initializers.orthogonal`, fast on every backend. */
export function orthogonal(args: OrthogonalArgs = {}): OrthogonalInitializer {
  return new JsOrthogonal(args);
}
