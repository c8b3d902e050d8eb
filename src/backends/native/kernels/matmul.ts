/** BatchMatMul and _FusedMatMul (bias, ReLU) on oneDNN's sgemm, float32. */
import { broadcast_util, type TensorInfo } from '@tensorflow/tfjs-core';
import type { FusedAct } from '../addon.js';
import type { NativeBackend } from '../backend.js';
import { nativeKernel, sizeOf } from './util.js';

function matmul(backend: NativeBackend, a: TensorInfo, b: TensorInfo, ta: boolean, tb: boolean, bias: TensorInfo | undefined, act: FusedAct): TensorInfo | null {
  const av = backend.f32(a);
  const bv = backend.f32(b);
  const biasv = bias === undefined ? null : backend.f32(bias);
  if (!av || !bv || biasv === undefined || a.shape.length < 2 || b.shape.length < 2) return null;
  const ra = a.shape.length;
  const rb = b.shape.length;
  const m = ta ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = ta ? a.shape[ra - 2] : a.shape[ra - 1];
  const kb = tb ? b.shape[rb - 1] : b.shape[rb - 2];
  const n = tb ? b.shape[rb - 2] : b.shape[rb - 1];
  if (k !== kb || k === 0) return null; // the cpu kernel reports a mismatch and fills k = 0 with zeros
  const batchShape = broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const batch = sizeOf(batchShape);
  const batchA = sizeOf(a.shape.slice(0, -2));
  const batchB = sizeOf(b.shape.slice(0, -2));
  if ((batchA !== batch && batchA !== 1) || (batchB !== batch && batchB !== 1)) return null;
  if (bias !== undefined && (biasv!.length !== n || (bias.shape.length > 0 && bias.shape[bias.shape.length - 1] !== n))) return null;
  const outShape = [...batchShape, m, n];
  const c = backend.alloc(sizeOf(outShape));
  if (c.length > 0) backend.addon.matmul(av, bv, c, batchA, batchB, m, n, k, ta, tb, biasv, act);
  return backend.makeTensorInfo(outShape, 'float32', c);
}

export const batchMatMulConfig = nativeKernel('BatchMatMul', ({ inputs, backend, attrs }) =>
  matmul(backend, inputs.a, inputs.b, Boolean(attrs.transposeA), Boolean(attrs.transposeB), undefined, 0),
);

const FUSABLE: Record<string, FusedAct> = { linear: 0, relu: 1 };

export const fusedMatMulConfig = nativeKernel('_FusedMatMul', ({ inputs, backend, attrs }) => {
  const act = FUSABLE[(attrs.activation as string | undefined) ?? 'linear'];
  if (act === undefined || inputs.preluActivationWeights != null) return null;
  return matmul(backend, inputs.a, inputs.b, Boolean(attrs.transposeA), Boolean(attrs.transposeB), inputs.bias ?? undefined, act);
});

export const matmulConfigs = [batchMatMulConfig, fusedMatMulConfig];
