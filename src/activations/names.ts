/**
 * The zoo's names, apart from its functions: what parsing a spec, a flag or a results query
 * needs, without loading TensorFlow.js (the command line's quick commands import this, not
 * zoo.ts).
 */
import { UserError } from '../errors.js';

/** The names of the activations in the zoo. */
export const ACTIVATION_NAMES = [
  'lisht',
  'relu',
  'leaky_relu',
  'prelu',
  'elu',
  'selu',
  'gelu',
  'swish',
  'mish',
  'softplus',
  'tanh',
  'sigmoid',
  'linear',
] as const;

/** A name of an activation in the zoo (aliases such as `silu` resolve to one of these). */
export type ActivationName = (typeof ACTIVATION_NAMES)[number];

/** Other names users write for the same functions. */
export const ACTIVATION_ALIASES: Readonly<Record<string, ActivationName>> = {
  silu: 'swish',
  leakyrelu: 'leaky_relu',
  'leaky-relu': 'leaky_relu',
  identity: 'linear',
};

/** Resolves a name or alias (case-insensitive) to a zoo name, or `undefined` if unknown. */
export function resolveActivationName(name: string): ActivationName | undefined {
  const key = name.trim().toLowerCase();
  const resolved = ACTIVATION_ALIASES[key] ?? key;
  return (ACTIVATION_NAMES as readonly string[]).includes(resolved) ? (resolved as ActivationName) : undefined;
}

/** The zoo name for a name or alias; throws an error listing the known names when there is none. */
export function activationName(name: string): ActivationName {
  const resolved = resolveActivationName(name);
  if (resolved === undefined) {
    throw new UserError(`unknown activation '${name}'; known: ${ACTIVATION_NAMES.join(', ')} (aliases: ${Object.keys(ACTIVATION_ALIASES).join(', ')})`);
  }
  return resolved;
}
