import { UserError } from '../errors.js';
import { buildSeedCnn } from './seed_cnn.js';
import type { ModelDefinition } from './types.js';

const definitions: ModelDefinition[] = [
  {
    name: 'seed-cnn',
    description: "The original article's small CNN: 2 x (Conv2D 3x3 + activation + MaxPool 2x2), Dense softmax",
    accepts: ['image'],
    build: buildSeedCnn,
  },
];

/** Every model the project can build, by name. */
export const models: readonly ModelDefinition[] = definitions;

/**
 * Adds a model architecture (e.g. one of your own) under `definition.name`, so that
 * `compare`, `bench` and `summary` can use it. Names must be unique.
 */
export function registerModel(definition: ModelDefinition): void {
  if (definitions.some((d) => d.name === definition.name)) throw new Error(`model '${definition.name}' is already registered`);
  definitions.push(definition);
}

/** The model named `name`; a `UserError` listing the known ones otherwise. */
export function getModel(name: string): ModelDefinition {
  const def = definitions.find((d) => d.name === name);
  if (def === undefined) {
    throw new UserError(`unknown model '${name}'; known: ${definitions.map((d) => d.name).join(', ')}`);
  }
  return def;
}
