/**
 * Making a registered TensorFlow.js backend current, and trying several in order: the part of
 * backend selection that Node and the browser share.
 */
import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '../errors.js';

/** The first line of what was thrown. */
function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
}

interface Gpu {
  requestAdapter(): Promise<unknown>;
}

/**
 * Why the registered backend `name` did not initialise. `tf.setBackend` only logs the error
 * its factory threw (and under PROD not even that), so the factory runs once more here and its
 * error is the reason. WebGPU is asked first: with no adapter, tfjs's factory fails on the
 * null adapter with a TypeError that says nothing, while the browser only logs "No available
 * adapters." to the console; the same question gets the same answer here.
 */
export async function initFailureReason(name: string): Promise<string | undefined> {
  if (name === 'webgpu') {
    const gpu = (globalThis as { navigator?: { gpu?: Gpu } }).navigator?.gpu;
    if (gpu === undefined) return 'navigator.gpu is undefined: this browser offers no WebGPU';
    try {
      if ((await gpu.requestAdapter()) == null) return 'No available adapters. (navigator.gpu.requestAdapter() returned none)';
    } catch (err) {
      return `navigator.gpu.requestAdapter() failed: ${firstLine(err)}`;
    }
  }
  const factory = tf.findBackendFactory(name);
  if (factory === null) return undefined;
  try {
    // Succeeding now (a transient failure) leaves nothing to report; the instance is not kept.
    (await factory()).dispose();
    return undefined;
  } catch (err) {
    return firstLine(err);
  }
}

/**
 * Makes the registered backend `name` current and waits until it is ready. Throws a
 * `UserError` with the reason the backend gave when it does not initialise.
 */
export async function startRegistered(name: string): Promise<void> {
  if (!(await tf.setBackend(name))) {
    const reason = await initFailureReason(name);
    throw new UserError(`backend '${name}' is registered but failed to initialise${reason === undefined ? '' : `: ${reason}`}`);
  }
  await tf.ready();
}

/**
 * Starts the first of `names` for which `start` resolves, and resolves to its name; throws a
 * `UserError` listing why each one failed when none starts.
 */
export async function startFirst(names: readonly string[], start: (name: string) => Promise<void>): Promise<string> {
  const reasons: string[] = [];
  for (const name of names) {
    try {
      await start(name);
      return name;
    } catch (err) {
      reasons.push(`${name}: ${(err as Error).message}`);
    }
  }
  throw new UserError(`no backend could start:\n  ${reasons.join('\n  ')}`);
}
