/**
 * Making a registered TensorFlow.js backend current, and trying several in order: the part of
 * backend selection that Node and the browser share.
 */
import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '../errors.js';

/** Makes the registered backend `name` current and waits until it is ready. */
export async function startRegistered(name: string): Promise<void> {
  if (!(await tf.setBackend(name))) {
    throw new UserError(`backend '${name}' is registered but failed to initialise`);
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
