/**
 * Turns a model config as any Keras writes it (Keras 3's config.json, the legacy `.h5`'s
 * model_config, tensorflowjs_converter's model.json of either) into the topology tfjs-layers
 * reads, in the Keras 2 form it was written for: InputLayer's `batch_shape`, Keras 3's
 * `__keras_tensor__` nodes, dtype policies and activation names are translated here; what
 * cannot be computed as Keras computes it is refused, naming the layer.
 */
import { serialization } from '@tensorflow/tfjs-core';
import { UserError } from '../errors.js';
import { EXIT } from '../exit_codes.js';
import { kerasActivationClass } from './activations.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** One layer of the model as Keras saved it. */
export interface KerasLayerInfo {
  readonly name: string;
  /** The class Keras wrote (`Dense`, `ReLU`), before any translation. */
  readonly kerasClass: string;
  /** Its folder in a `.keras` weights file (`layers/dense_1`), or undefined (an InputLayer of a Sequential). */
  readonly weightsPath?: string;
}

/** What {@link normalizeKerasConfig} returns. */
export interface NormalizedConfig {
  /** `{class_name, config}` for tfjs-layers' `modelFromJSON`. */
  readonly topology: JsonObject;
  readonly layers: readonly KerasLayerInfo[];
}

const isObject = (v: unknown): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v);

function fail(message: string): never {
  throw new UserError(message, EXIT.DATA);
}

/** Keras's `to_snake_case`: how `.keras` files name a layer's weights folder. */
export function kerasSnakeCase(name: string): string {
  return name
    .replace(/\W+/g, '')
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

/** Keys Keras 3 adds around serialized objects that tfjs-layers does not read. */
const WRAPPER_KEYS = new Set(['module', 'registered_name', 'build_config', 'compile_config', 'shared_object_id']);

function stripWrappers(value: Json): Json {
  if (Array.isArray(value)) return value.map(stripWrappers);
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) if (!WRAPPER_KEYS.has(k)) out[k] = stripWrappers(v);
  return out;
}

const MODEL_CLASSES = new Set(['Sequential', 'Functional', 'Model']);

function knownToTfjs(className: string): boolean {
  return className in serialization.SerializationMap.getMap().classNameMap;
}

/** The dtype of a layer: Keras 3 writes a DTypePolicy object; only float32 models load. */
function dtypeOf(value: Json, site: string): string | undefined {
  if (value === null || value === undefined) return undefined;
  const name = typeof value === 'string' ? value : isObject(value) && isObject(value['config']) ? value['config']['name'] : undefined;
  if (name !== 'float32') fail(`cannot load ${site}: dtype policy ${JSON.stringify(name ?? value)}; only float32 models load (save the model with keras.config.set_dtype_policy("float32"))`);
  return name;
}

/** Keras 3's node form ({args: [__keras_tensor__...], kwargs}) as Keras 2's [[name, node, tensor, {}], ...]. */
function kerasTensors(value: Json, out: Json[]): void {
  if (Array.isArray(value)) for (const v of value) kerasTensors(v, out);
  else if (isObject(value)) {
    if (value['class_name'] === '__keras_tensor__' && isObject(value['config'])) {
      const [name, node, index] = value['config']['keras_history'] as [string, number, number];
      out.push([name, node, index, {}]);
    } else for (const v of Object.values(value)) kerasTensors(v, out);
  }
}

function inboundNodes(nodes: Json | undefined): Json[] {
  if (!Array.isArray(nodes)) return [];
  return nodes.map((node) => {
    if (Array.isArray(node)) return node; // Keras 2's form already.
    const tensors: Json[] = [];
    if (isObject(node)) kerasTensors(node['args'] ?? [], tensors);
    return tensors;
  });
}

/** `["x", 0, 0]` (Keras 3, one tensor) or `[["x", 0, 0], ...]` as the list form tfjs reads. */
function tensorList(value: Json | undefined): Json {
  if (Array.isArray(value) && typeof value[0] === 'string') return [value];
  return value ?? [];
}

function translateLayer(layer: JsonObject, kerasMajor: number): JsonObject {
  const kerasClass = String(layer['class_name']);
  const config: JsonObject = isObject(layer['config']) ? { ...layer['config'] } : {};
  const name = String(config['name'] ?? layer['name'] ?? '?');
  const site = `layer '${name}' (${kerasClass})`;
  let className = kerasClass;
  if (MODEL_CLASSES.has(kerasClass)) fail(`cannot load ${site}: a model nested in a model; flatten it into one Sequential or Functional model before saving`);
  if (kerasClass === 'Lambda') fail(`cannot load ${site}: a Lambda layer holds Python code that TensorFlow.js cannot run; replace it with built-in layers or a custom layer registered in TensorFlow.js`);
  if ('dtype' in config) {
    const dtype = dtypeOf(config['dtype'], site);
    if (dtype === undefined) delete config['dtype'];
    else config['dtype'] = dtype;
  }
  // `activation`, and the recurrent layers' `recurrent_activation`.
  for (const key of Object.keys(config).filter((k) => k === 'activation' || k.endsWith('_activation'))) {
    if (config[key] !== null) config[key] = kerasActivationClass(config[key], kerasMajor, { layer: name, className: kerasClass });
  }
  switch (kerasClass) {
    case 'InputLayer':
      if ('batch_shape' in config) {
        config['batch_input_shape'] = config['batch_shape'];
        delete config['batch_shape'];
      }
      if (config['sparse'] === true || config['ragged'] === true) fail(`cannot load ${site}: sparse and ragged inputs do not exist in TensorFlow.js`);
      delete config['optional'];
      delete config['ragged'];
      break;
    case 'LeakyReLU':
      if ('negative_slope' in config) {
        config['alpha'] = config['negative_slope'];
        delete config['negative_slope'];
      }
      break;
    case 'ReLU':
      className = 'KerasReLU';
      break;
    case 'ELU':
      className = 'KerasELU';
      break;
    case 'Conv1D':
    case 'Conv2D':
    case 'Conv3D':
      if (typeof config['groups'] === 'number' && config['groups'] !== 1) fail(`cannot load ${site}: grouped convolution (groups=${config['groups']}) does not exist in TensorFlow.js`);
      delete config['groups'];
      break;
    case 'BatchNormalization':
      if (config['renorm'] === true) fail(`cannot load ${site}: batch renormalization does not exist in TensorFlow.js`);
      if (config['synchronized'] === true) delete config['synchronized'];
      break;
  }
  if (!knownToTfjs(className)) {
    fail(`cannot load ${site}: TensorFlow.js has no layer '${kerasClass}'; register a tfjs-layers class named '${kerasClass}' (serialization.registerClass) before loading, or rebuild the model without it`);
  }
  const out: JsonObject = { class_name: className, config: stripWrappers(config) as JsonObject };
  if ('name' in layer) out['name'] = layer['name'];
  if ('inbound_nodes' in layer) out['inbound_nodes'] = inboundNodes(layer['inbound_nodes']);
  return out;
}

/** The model config inside what Keras wrote: `{class_name, config}` at the top or under `model_config`. */
export function modelConfigOf(root: unknown): JsonObject {
  if (isObject(root) && isObject(root['model_config'])) return root['model_config'];
  if (isObject(root) && typeof root['class_name'] === 'string' && isObject(root['config'])) return root;
  return fail('no Keras model config: expected {"class_name": ..., "config": ...} or a model.json from tensorflowjs_converter');
}

/**
 * The tfjs-layers topology of a Keras model config (any Keras version's form) and its layers
 * in saved order. `kerasMajor` decides what names mean where Keras 2 and 3 differ.
 */
export function normalizeKerasConfig(root: unknown, kerasMajor: number): NormalizedConfig {
  const model = modelConfigOf(root);
  const kerasClass = String(model['class_name']);
  if (!MODEL_CLASSES.has(kerasClass)) fail(`the top of the config is a '${kerasClass}', not a Sequential or Functional model`);
  const config = model['config'] as JsonObject;
  const rawLayers = Array.isArray(config['layers']) ? (config['layers'] as JsonObject[]) : fail(`model '${String(config['name'])}' lists no layers`);
  const sequential = kerasClass === 'Sequential';
  const used = new Map<string, number>();
  const infos: KerasLayerInfo[] = [];
  const layers = rawLayers.map((layer) => {
    const name = String((layer['config'] as JsonObject | undefined)?.['name'] ?? layer['name']);
    const layerClass = String(layer['class_name']);
    // .keras names weight folders by class, in model.layers order (a Sequential's omits its InputLayer).
    let weightsPath: string | undefined;
    if (!(sequential && layerClass === 'InputLayer')) {
      const base = kerasSnakeCase(layerClass);
      const n = used.get(base);
      used.set(base, n === undefined ? 0 : n + 1);
      weightsPath = `layers/${n === undefined ? base : `${base}_${n + 1}`}`;
    }
    infos.push({ name, kerasClass: layerClass, weightsPath });
    return translateLayer(layer, kerasMajor);
  });
  const out: JsonObject = { name: config['name'] ?? 'model', layers };
  if (!sequential) {
    out['input_layers'] = tensorList(config['input_layers']);
    out['output_layers'] = tensorList(config['output_layers']);
  }
  return { topology: { class_name: sequential ? 'Sequential' : 'Model', config: out }, layers: infos };
}

/** The major Keras version a file was written by: from its recorded version, else its form. */
export function kerasMajorOf(version: unknown, config: unknown): number {
  if (typeof version === 'string') {
    const major = Number.parseInt(version.replace(/^keras v/, ''), 10);
    if (Number.isFinite(major)) return major;
  }
  // Keras 3 configs carry `module` keys and `batch_shape`; Keras 2's carry neither.
  return /"(module|batch_shape)"/.test(JSON.stringify(config)) ? 3 : 2;
}
