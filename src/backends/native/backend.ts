/**
 * The `native` backend: TF.js's `cpu` backend (same Float32Array-in-JS-memory layout, same
 * kernels for everything not accelerated) with the hot kernels replaced by the oneDNN addon,
 * and recycling of the large output buffers those kernels allocate.
 */
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { DataType, TensorInfo, backend_util } from '@tensorflow/tfjs-core';
import type { NativeAddon } from './addon.js';

type DataId = object;

/**
 * Buffers below this many elements come from V8 directly (cheap); above, a fresh allocation
 * costs page faults and zeroing of fresh memory on every training step, several ms per step
 * for the seed-cnn's 11.5 MB activations, so they are reused.
 */
const RECYCLE_MIN_ELEMENTS = 1 << 14;
/** Idle recycled buffers kept at most (bytes); beyond that they are left to the GC. */
const RECYCLE_MAX_IDLE_BYTES = 512 * 2 ** 20;

export class NativeBackend extends MathBackendCPU {
  /** Buffers handed out by `alloc` not yet attached to a tensor or since returned. */
  private readonly ours = new WeakSet<Float32Array>();
  /** Recyclable buffers attached to tensors, with how many data ids hold each. */
  private readonly holders = new Map<Float32Array, number>();
  private readonly idle = new Map<number, Float32Array[]>();
  private idleBytes = 0;

  constructor(readonly addon: NativeAddon) {
    super();
  }

  /** The Float32Array behind a float32 tensor, or `undefined` for other dtypes. */
  f32(t: TensorInfo): Float32Array | undefined {
    if (t.dtype !== 'float32') return undefined;
    const v = this.data.get(t.dataId).values;
    return v instanceof Float32Array ? v : undefined;
  }

  /**
   * A float32 buffer of `n` elements for a kernel output, possibly recycled: its contents are
   * arbitrary, so the kernel must write every element. Pass it to `makeTensorInfo`, or back to
   * `release` if the kernel declines.
   */
  alloc(n: number): Float32Array {
    if (n >= RECYCLE_MIN_ELEMENTS) {
      const reused = this.idle.get(n)?.pop();
      if (reused !== undefined) {
        this.idleBytes -= reused.byteLength;
        return reused;
      }
    }
    const a = new Float32Array(n);
    if (n >= RECYCLE_MIN_ELEMENTS) this.ours.add(a);
    return a;
  }

  /** Returns a buffer from `alloc` that no tensor holds. */
  release(a: Float32Array): void {
    if (!this.ours.has(a) || this.holders.has(a)) return;
    const list = this.idle.get(a.length) ?? [];
    if (this.idleBytes + a.byteLength > RECYCLE_MAX_IDLE_BYTES) {
      this.ours.delete(a);
      return;
    }
    list.push(a);
    this.idle.set(a.length, list);
    this.idleBytes += a.byteLength;
  }

  override write(values: backend_util.BackendValues, shape: number[], dtype: DataType): DataId {
    const id = super.write(values, shape, dtype);
    if (values instanceof Float32Array && this.ours.has(values)) this.holders.set(values, (this.holders.get(values) ?? 0) + 1);
    return id;
  }

  override disposeData(dataId: DataId, force = false): boolean {
    const values = this.data.has(dataId) ? this.data.get(dataId).values : undefined;
    const done = super.disposeData(dataId, force);
    if (values instanceof Float32Array && !this.data.has(dataId)) {
      const n = this.holders.get(values);
      if (n !== undefined) {
        if (n > 1) this.holders.set(values, n - 1);
        else {
          this.holders.delete(values);
          this.release(values);
        }
      }
    }
    return done;
  }

  /**
   * The cpu backend hands out its own array here (no copy), and callers may keep it after
   * disposing the tensor: such a buffer is never recycled.
   */
  override readSync(dataId: DataId): backend_util.BackendValues {
    const values = super.readSync(dataId);
    if (values instanceof Float32Array && this.ours.has(values)) {
      this.ours.delete(values);
      this.holders.delete(values);
    }
    return values;
  }

  /** Bytes of idle recycled buffers (for memory checks). */
  get recycledIdleBytes(): number {
    return this.idleBytes;
  }
}
