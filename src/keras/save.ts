/**
 * `toKerasFile`: a tfjs-layers model as the bytes of a Keras 3 `.keras` file (a zip of
 * config.json, metadata.json and model.weights.h5) that `keras.saving.load_model` opens;
 * `toKerasH5File`: the same model in Keras's legacy single-file HDF5 format (`.h5`).
 * LiSHT is written as Keras writes a registered function (`"config": "lisht"`), so
 * `custom_objects={"lisht": ...}` resolves it. Browser-safe.
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import { zipSync, strToU8 } from 'fflate';
import { UserError } from '../errors.js';
import { EXIT } from '../exit_codes.js';
import { keras3ActivationName } from './activations.js';
import { kerasSnakeCase } from './config.js';
import { writeHdf5, type H5WriteGroup } from './hdf5.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** The Keras version whose format this writer follows (and whose loader the developer check ran). */
export const KERAS_FORMAT_VERSION = '3.16.0';

const isObject = (v: unknown): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v);

function fail(message: string): never {
  throw new UserError(message, EXIT.USAGE);
}

const FLOAT32_POLICY: JsonObject = { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null };

/** Keras 3's serialized form of an object from one of its modules. */
const kerasObject = (module: string, className: string, config: Json): JsonObject => ({ module, class_name: className, config, registered_name: null });

const INITIALIZERS = new Set(['Zeros', 'Ones', 'Constant', 'GlorotUniform', 'GlorotNormal', 'HeNormal', 'HeUniform', 'LecunNormal', 'LecunUniform', 'RandomNormal', 'RandomUniform', 'TruncatedNormal', 'VarianceScaling', 'Orthogonal', 'Identity']);
const REGULARIZERS = new Set(['L1', 'L2', 'L1L2']);
const CONSTRAINTS = new Set(['MaxNorm', 'MinMaxNorm', 'NonNeg', 'UnitNorm']);

/** Layers whose tfjs config Keras 3 reads under the same class name and keys. */
const SAME_CLASS = new Set([
  'Dense', 'Conv1D', 'Conv2D', 'MaxPooling1D', 'MaxPooling2D', 'AveragePooling1D', 'AveragePooling2D',
  'GlobalAveragePooling1D', 'GlobalAveragePooling2D', 'GlobalMaxPooling1D', 'GlobalMaxPooling2D', 'Flatten',
  'Dropout', 'BatchNormalization', 'Activation', 'LeakyReLU', 'PReLU', 'Softmax', 'Add', 'Concatenate',
  'Multiply', 'Average', 'Maximum', 'Minimum', 'Subtract', 'ZeroPadding2D', 'Reshape', 'InputLayer',
  'Embedding', 'LSTM', 'SimpleRNN',
]);

/** Recurrent layers: Keras 3 keeps their weights in their cell's folder (`layers/lstm/cell/vars`). */
const RECURRENT = new Set(['LSTM', 'SimpleRNN']);

/** The keys tfjs writes that Keras 3's layers do not accept. */
const DROPPED_KEYS = new Set(['batch_input_shape', 'input_shape', 'sparse', 'input_length']);

function activationValue(value: Json, site: string): Json {
  if (value === null) return null;
  const id = String(value);
  const name = id === 'lisht' ? 'lisht' : keras3ActivationName(id);
  if (name === undefined) fail(`cannot save ${site} for Keras: activation '${id}' has no Keras 3 equivalent`);
  // LiSHT and tfa's functions as Keras writes a registered function; Keras's own by name.
  if (name === 'lisht' || name.startsWith('Addons>')) return { module: 'builtins', class_name: 'function', config: name, registered_name: 'function' };
  return name;
}

function objectValue(key: string, value: Json, site: string): Json {
  if (!isObject(value)) return value;
  const className = String(value['class_name']);
  if (key.endsWith('_initializer')) {
    // Initializers do not change a saved model's function: one Keras lacks becomes its default.
    return INITIALIZERS.has(className) ? kerasObject('keras.initializers', className, value['config'] ?? {}) : null;
  }
  if (key.endsWith('_regularizer')) {
    if (!REGULARIZERS.has(className)) fail(`cannot save ${site} for Keras: regularizer '${className}' has no Keras 3 equivalent`);
    return kerasObject('keras.regularizers', className, value['config'] ?? {});
  }
  if (key.endsWith('_constraint')) {
    if (!CONSTRAINTS.has(className)) fail(`cannot save ${site} for Keras: constraint '${className}' has no Keras 3 equivalent`);
    return kerasObject('keras.constraints', className, value['config'] ?? {});
  }
  return value;
}

/** A tfjs layer's (pythonic) class and config as Keras 3's. */
function kerasLayerConfig(className: string, config: JsonObject, site: string): { kerasClass: string; config: JsonObject } {
  let kerasClass = className;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(config)) {
    // Embedding's input_dim is its vocabulary size; elsewhere tfjs's shorthand for the input shape.
    if (DROPPED_KEYS.has(key) || (key === 'input_dim' && className !== 'Embedding')) continue;
    if (key === 'activation' || key === 'recurrent_activation') out[key] = activationValue(value, site);
    else if (key === 'dtype') out[key] = className === 'InputLayer' ? 'float32' : FLOAT32_POLICY;
    else out[key] = objectValue(key, value, site);
  }
  switch (className) {
    case 'LiSHT':
      // lisht's own LiSHT layer: in Keras, an Activation layer with the registered function.
      kerasClass = 'Activation';
      for (const k of Object.keys(out)) if (k !== 'name' && k !== 'trainable') delete out[k];
      out['activation'] = activationValue('lisht', site);
      break;
    case 'KerasReLU':
      kerasClass = 'ReLU';
      break;
    case 'KerasELU':
      kerasClass = 'ELU';
      break;
    case 'ReLU':
      out['negative_slope'] = 0;
      out['threshold'] = 0;
      break;
    case 'LeakyReLU':
      out['negative_slope'] = out['alpha'] ?? 0.3;
      delete out['alpha'];
      break;
    case 'InputLayer':
      out['batch_shape'] = config['batch_input_shape'] ?? null;
      break;
    default:
      if (!SAME_CLASS.has(className)) {
        fail(`cannot save ${site} for Keras: lisht writes no '${className}' layer to Keras files (it writes ${[...SAME_CLASS].filter((c) => c !== 'InputLayer').join(', ')}, ReLU, ELU and LiSHT)`);
      }
  }
  if (kerasClass !== 'InputLayer' && !('dtype' in out)) out['dtype'] = FLOAT32_POLICY;
  return { kerasClass, config: out };
}

/** A symbolic tensor as Keras 3 writes one in a node's arguments. */
function kerasTensor(model: tfl.LayersModel, [name, node, index]: [string, number, number]): JsonObject {
  const shape = model.getLayer(name).getOutputAt(node);
  const tensor = Array.isArray(shape) ? shape[index]! : shape;
  return { class_name: '__keras_tensor__', config: { shape: tensor.shape as Json[], dtype: 'float32', keras_history: [name, node, index] } };
}

function kerasNodes(model: tfl.LayersModel, nodes: Json): Json[] {
  if (!Array.isArray(nodes)) return [];
  return nodes.map((node) => {
    const inputs = (node as Json[]).map((t) => kerasTensor(model, (t as Json[]).slice(0, 3) as [string, number, number]));
    return { args: inputs.length === 1 ? inputs : [inputs], kwargs: {} };
  });
}

/** Keras's config.json for `model`, and its layers as Keras will order its weights. */
function kerasConfig(model: tfl.LayersModel): { config: JsonObject; order: { kerasClass: string; layer: tfl.layers.Layer }[] } {
  const topology = model.toJSON(null, false) as unknown as JsonObject;
  const sequential = topology['class_name'] === 'Sequential';
  const modelConfig = topology['config'] as JsonObject;
  const layerConfigs = modelConfig['layers'] as JsonObject[];
  const order: { kerasClass: string; layer: tfl.layers.Layer }[] = [];
  const layers: Json[] = [];
  if (sequential) {
    const shape = model.inputs[0]!.shape as Json[];
    layers.push(kerasObject('keras.layers', 'InputLayer', { batch_shape: shape, dtype: 'float32', sparse: false, ragged: false, name: 'input_layer', optional: false }));
  }
  for (const entry of layerConfigs) {
    const className = String(entry['class_name']);
    // A Sequential's input is the InputLayer written above (tfjs lists one when it loaded a config that had it).
    if (sequential && className === 'InputLayer') continue;
    const config = entry['config'] as JsonObject;
    const name = String(config['name']);
    const site = `layer '${name}' (${className})`;
    if (className === 'Sequential' || className === 'Model' || className === 'Functional') fail(`cannot save ${site} for Keras: a nested model`);
    const converted = kerasLayerConfig(className, config, site);
    const layer = model.getLayer(name);
    order.push({ kerasClass: converted.kerasClass, layer });
    const out: JsonObject = { ...kerasObject('keras.layers', converted.kerasClass, converted.config) };
    if (converted.kerasClass !== 'InputLayer') {
      const input = layer.inboundNodes[0]?.inputTensors ?? [];
      const shapes = input.map((t) => t.shape as Json[]);
      out['build_config'] = { input_shape: shapes.length === 1 ? shapes[0]! : shapes };
    }
    if (!sequential) {
      out['name'] = name;
      out['inbound_nodes'] = kerasNodes(model, entry['inbound_nodes'] ?? []);
    }
    layers.push(out);
  }
  const config: JsonObject = sequential ? { name: model.name, trainable: true, dtype: FLOAT32_POLICY, layers } : { name: model.name, trainable: true, layers };
  if (!sequential) {
    const one = (list: Json) => (Array.isArray(list) && list.length === 1 ? list[0]! : list);
    config['input_layers'] = one(modelConfig['input_layers'] ?? []);
    config['output_layers'] = one(modelConfig['output_layers'] ?? []);
  }
  const inputShapes = model.inputs.map((t) => t.shape as Json[]);
  return {
    // Keras writes its Functional class by its source module and registered name.
    config: {
      module: sequential ? 'keras' : 'keras.src.models.functional',
      class_name: sequential ? 'Sequential' : 'Functional',
      config,
      registered_name: sequential ? null : 'Functional',
      build_config: { input_shape: inputShapes.length === 1 ? inputShapes[0]! : inputShapes },
      compile_config: null,
    },
    order,
  };
}

/** model.weights.h5: `layers/<class>_<n>/vars/<i>` in Keras's order, the layer's name on `vars`. */
async function kerasWeights(model: tfl.LayersModel, order: { kerasClass: string; layer: tfl.layers.Layer }[]): Promise<Uint8Array> {
  const used = new Map<string, number>();
  const layerGroups: [string, H5WriteGroup][] = [];
  for (const { kerasClass, layer } of order) {
    const base = kerasSnakeCase(kerasClass);
    const n = used.get(base);
    used.set(base, n === undefined ? 0 : n + 1);
    const values = layer.getWeights();
    const datasets = values.map((t, i) => [String(i), { shape: t.shape, value: Float32Array.from(t.dataSync() as Float32Array) }] as [string, { shape: number[]; value: Float32Array }]);
    const folder: H5WriteGroup = RECURRENT.has(kerasClass)
      ? { groups: [['cell', { groups: [['vars', { datasets }]] }], ['vars', { attrs: { name: layer.name } }]] }
      : { groups: [['vars', { attrs: { name: layer.name }, datasets }]] };
    layerGroups.push([n === undefined ? base : `${base}_${n + 1}`, folder]);
  }
  // A Sequential's InputLayer is not among its layers in Keras, so it has no folder.
  return writeHdf5({ groups: [['layers', { groups: layerGroups }], ['vars', { attrs: { name: model.name } }]] });
}

/**
 * The bytes of a Keras 3 `.keras` file holding `model` and its weights. Throws a `UserError`
 * naming the layer for a layer or activation Keras 3 has no equivalent of.
 */
export async function toKerasFile(model: tfl.LayersModel): Promise<Uint8Array> {
  const { config, order } = kerasConfig(model);
  const weights = await kerasWeights(model, order);
  const metadata = { keras_version: KERAS_FORMAT_VERSION, date_saved: new Date().toISOString() };
  // Stored, not deflated, as Keras writes them.
  return zipSync(
    {
      'metadata.json': strToU8(JSON.stringify(metadata)),
      'config.json': strToU8(JSON.stringify(config)),
      'model.weights.h5': weights,
    },
    { level: 0 },
  );
}

/** A weight's own name within its layer (`kernel` of `dense/kernel`), unique within the layer. */
function weightNames(layer: tfl.layers.Layer): string[] {
  const used = new Set<string>();
  return layer.weights.map((w, i) => {
    let name = w.originalName.split('/').pop() ?? `weight_${i}`;
    if (used.has(name)) name = `${name}_${i}`;
    used.add(name);
    return name;
  });
}

/**
 * The bytes of a legacy Keras `.h5` file holding `model`: the Keras 3 config as its
 * `model_config` attribute and `model_weights/<layer>/<layer>/<weight>` listed by each layer's
 * `weight_names`, as Keras's legacy writer lays them out (Keras 3 and 2.x read it).
 */
export async function toKerasH5File(model: tfl.LayersModel): Promise<Uint8Array> {
  const { config, order } = kerasConfig(model);
  const version = { keras_version: KERAS_FORMAT_VERSION, backend: 'tensorflow.js' };
  const layerGroups: [string, H5WriteGroup][] = order.map(({ layer }) => {
    const names = weightNames(layer);
    const values = layer.getWeights();
    const datasets = values.map((t, i) => [names[i]!, { shape: t.shape, value: Float32Array.from(t.dataSync() as Float32Array) }] as [string, { shape: number[]; value: Float32Array }]);
    return [layer.name, { listAttrs: { weight_names: names.map((n) => `${layer.name}/${n}`) }, groups: datasets.length > 0 ? [[layer.name, { datasets }]] : [] }];
  });
  return writeHdf5({
    attrs: { ...version, model_config: JSON.stringify(config) },
    groups: [['model_weights', { attrs: version, listAttrs: { layer_names: order.map(({ layer }) => layer.name) }, groups: layerGroups }]],
  });
}

/**
 * Throws the `UserError` {@link toKerasFile} would throw for `model` (a layer or activation
 * Keras 3 lacks), without writing anything: for checking before a long training.
 */
export function assertKerasWritable(model: tfl.LayersModel): void {
  kerasConfig(model);
}
