/**
 * Declaring a `native` kernel: an implementation that may decline a case (an unsupported dtype,
 * layout or broadcast) by returning `null`, in which case the `cpu` backend's kernel runs on
 * the same inputs. Counters record which path ran, so tests can check the native one did.
 */
import { getKernel, type KernelConfig, type KernelFunc, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeBackend } from '../backend.js';

/** Backend name this package registers its oneDNN backend under. */
export const NATIVE_BACKEND = 'native';

/** Inputs by name; optional ones (a bias) may be null or absent at run time. */
export type NativeInputs = Record<string, TensorInfo>;
export type NativeImpl = (args: { inputs: NativeInputs; backend: NativeBackend; attrs: NamedAttrMap }) => TensorInfo | TensorInfo[] | null;

/** Calls of each kernel that ran natively and that fell back to the cpu kernel. */
export const kernelCounts = { native: new Map<string, number>(), fallback: new Map<string, number>() };

/** Counts one call of `name` under `map` (kernelCounts.native or .fallback). */
export function bump(map: Map<string, number>, name: string): void {
  map.set(name, (map.get(name) ?? 0) + 1);
}

export function nativeKernel(kernelName: string, impl: NativeImpl): KernelConfig {
  let cpu: KernelFunc | undefined;
  const kernelFunc: KernelFunc = (args) => {
    const result = impl({ inputs: args.inputs as NativeInputs, backend: args.backend as NativeBackend, attrs: args.attrs ?? {} });
    if (result !== null) {
      bump(kernelCounts.native, kernelName);
      return result;
    }
    bump(kernelCounts.fallback, kernelName);
    cpu ??= getKernel(kernelName, 'cpu')?.kernelFunc;
    if (cpu === undefined) throw new Error(`native backend: no cpu kernel ${kernelName} to fall back to`);
    return cpu(args);
  };
  return { kernelName, backendName: NATIVE_BACKEND, kernelFunc };
}

/**
 * Declaring a kernel that exists only on `native` (the fused training kernels, the optimizer
 * updates): no cpu kernel to fall back to, so its implementation always answers. Calls are
 * counted as native ones.
 */
export function nativeOnlyKernel(kernelName: string, impl: (args: { inputs: NativeInputs; backend: NativeBackend; attrs: NamedAttrMap }) => TensorInfo | TensorInfo[]): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    bump(kernelCounts.native, kernelName);
    return impl({ inputs: args.inputs as NativeInputs, backend: args.backend as NativeBackend, attrs: args.attrs ?? {} });
  };
  return { kernelName, backendName: NATIVE_BACKEND, kernelFunc };
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}
