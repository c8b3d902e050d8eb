/**
 * `loadKerasModel`: a Keras model, from the bytes of any file Keras or tensorflowjs_converter
 * writes, as a tfjs-layers model that computes what Keras computed. Browser-safe: bytes in,
 * no file system (`lisht/node`'s `loadKerasModelFile` reads paths).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { unzipSync } from 'fflate';
import { UserError } from '../errors.js';
import { EXIT } from '../exit_codes.js';
import { kerasMajorOf, normalizeKerasConfig, type KerasLayerInfo } from './config.js';
import { isHdf5, readHdf5, type H5Dataset, type H5Group } from './hdf5.js';

/** A tensorflowjs_converter model: its model.json and the weight files it lists, in order. */
export interface KerasModelJson {
  readonly modelJson: string | object;
  /** The bytes of the files in `weightsManifest[*].paths`, in manifest order. */
  readonly weights: ArrayBuffer | Uint8Array | readonly (ArrayBuffer | Uint8Array)[];
}

/** What {@link loadKerasModel} reads: a `.keras` or `.h5` file's bytes, a `File`, or a model.json with its weights. */
export type KerasSource = ArrayBuffer | Uint8Array | Blob | KerasModelJson;

/** Which file a model came from. */
export type KerasFormat = 'keras' | 'h5' | 'tfjs';

/** A loaded model and where it came from. */
export interface LoadedKerasModel {
  readonly model: tfl.LayersModel;
  readonly format: KerasFormat;
  /** The Keras version the file records, if it records one. */
  readonly kerasVersion?: string;
}

/** One weight array as a file holds it. */
interface FileWeight {
  readonly path: string;
  readonly shape: number[];
  readonly values: Float32Array;
}

function fail(message: string): never {
  throw new UserError(message, EXIT.DATA);
}

const ZIP_SIGNATURE = [0x50, 0x4b, 0x03, 0x04];
const isZip = (b: Uint8Array) => b.length >= 4 && ZIP_SIGNATURE.every((x, i) => b[i] === x);

function floatValues(d: H5Dataset, path: string): Float32Array {
  if (d.value instanceof Float32Array) return d.value;
  if (d.value instanceof Int32Array) return Float32Array.from(d.value);
  return fail(`weight ${path} holds strings, not numbers`);
}

function groupAt(root: H5Group, path: string): H5Group | undefined {
  let g: H5Group | undefined = root;
  for (const part of path.split('/').filter(Boolean)) g = g?.groups.get(part);
  return g;
}

function datasetAt(root: H5Group, path: string): H5Dataset | undefined {
  const parts = path.split('/').filter(Boolean);
  const last = parts.pop();
  return last === undefined ? undefined : groupAt(root, parts.join('/'))?.datasets.get(last);
}

/** A `.keras` weights file: `layers/<class>_<n>/vars/<i>`, one folder per layer. */
function kerasWeights(root: H5Group, layers: readonly KerasLayerInfo[]): Map<string, FileWeight[]> {
  const out = new Map<string, FileWeight[]>();
  // Keras 3.x records each layer's name on its vars group; older files only have the folder order.
  const byName = new Map<string, string>();
  for (const [folder, group] of root.groups.get('layers')?.groups ?? []) {
    const name = group.groups.get('vars')?.attrs['name'];
    if (typeof name === 'string') byName.set(name, `layers/${folder}`);
  }
  for (const info of layers) {
    const layer = { ...info, weightsPath: byName.get(info.name) ?? info.weightsPath };
    if (layer.weightsPath === undefined) continue;
    const folder = groupAt(root, layer.weightsPath);
    if (folder !== undefined) out.set(layer.name, folderWeights(folder, layer.weightsPath));
  }
  return out;
}

/**
 * A layer folder's weights in Keras's order: its own `vars/<i>`, then those of the objects it
 * holds (an LSTM's `cell/vars/<i>`), folder by folder in name order.
 */
function folderWeights(folder: H5Group, path: string): FileWeight[] {
  const own = folder.groups.get('vars');
  const keys = [...(own?.datasets.keys() ?? [])].sort((a, b) => Number(a) - Number(b));
  const weights = keys.map((k) => {
    const at = `${path}/vars/${k}`;
    const d = own!.datasets.get(k)!;
    return { path: at, shape: d.shape, values: floatValues(d, at) };
  });
  for (const name of [...folder.groups.keys()].filter((n) => n !== 'vars').sort()) {
    weights.push(...folderWeights(folder.groups.get(name)!, `${path}/${name}`));
  }
  return weights;
}

/** Legacy `.h5`: `model_weights/<layer>` with a `weight_names` attribute listing its weights in order. */
function legacyWeights(root: H5Group, layers: readonly KerasLayerInfo[]): Map<string, FileWeight[]> {
  const modelWeights = root.groups.get('model_weights');
  if (modelWeights === undefined) fail('the HDF5 file holds no model weights (no model_weights group)');
  const out = new Map<string, FileWeight[]>();
  for (const layer of layers) {
    const group = modelWeights.groups.get(layer.name);
    const names = group?.attrs['weight_names'];
    if (group === undefined || !Array.isArray(names)) continue;
    out.set(
      layer.name,
      names.map((n) => {
        const path = `model_weights/${layer.name}/${String(n)}`;
        const d = datasetAt(group, String(n)) ?? fail(`the HDF5 file lists weight ${path} but does not hold it`);
        return { path, shape: d.shape, values: floatValues(d, path) };
      }),
    );
  }
  return out;
}

/** A model.json's weights by name: Keras 3 paths (`layers/dense/vars/0`) or Keras 2 names (`[model/]dense/kernel`). */
function manifestWeights(named: Map<string, FileWeight>, layers: readonly KerasLayerInfo[]): Map<string, FileWeight[]> {
  const out = new Map<string, FileWeight[]>();
  const keras3 = [...named.keys()].every((n) => /^layers\/.+\/vars\/\d+$/.test(n) || n.startsWith('optimizer/'));
  if (keras3) {
    for (const layer of layers) {
      if (layer.weightsPath === undefined) continue;
      // The same order as folderWeights: own vars by index, then sub-objects' (cell/vars/<i>).
      const prefix = `${layer.weightsPath}/`;
      const key = (p: string) => {
        const rest = p.slice(prefix.length);
        const index = Number(rest.slice(rest.lastIndexOf('/') + 1));
        const owner = rest.slice(0, rest.lastIndexOf('vars/'));
        return { owner, index };
      };
      const mine = [...named.values()].filter((w) => w.path.startsWith(prefix) && /^(?:[^/]+\/)*vars\/\d+$/.test(w.path.slice(prefix.length)));
      mine.sort((a, b) => {
        const ka = key(a.path);
        const kb = key(b.path);
        return ka.owner === kb.owner ? ka.index - kb.index : ka.owner < kb.owner ? -1 : 1;
      });
      if (mine.length > 0) out.set(layer.name, mine);
    }
    return out;
  }
  const layerNames = new Set(layers.map((l) => l.name));
  for (const w of named.values()) {
    const parts = w.path.split('/').slice(0, -1);
    // The innermost component naming a layer: `sequential/dense/kernel` and `dense/kernel` both belong to `dense`.
    const owner = [...parts].reverse().find((p) => layerNames.has(p));
    if (owner === undefined) continue;
    const list = out.get(owner) ?? [];
    list.push(w);
    out.set(owner, list);
  }
  return out;
}

function shapeText(shape: readonly (number | null)[]): string {
  return `[${shape.join(', ')}]`;
}

/** Sets every layer's weights from the file, refusing a missing weight or a wrong shape. */
function assignWeights(model: tfl.LayersModel, weights: Map<string, FileWeight[]>): void {
  for (const layer of model.layers) {
    const expected = layer.weights;
    if (expected.length === 0) continue;
    const found = weights.get(layer.name) ?? [];
    const site = `layer '${layer.name}' (${layer.getClassName()})`;
    if (found.length !== expected.length) {
      fail(`${site} has ${expected.length} weights (${expected.map((w) => shapeText(w.shape)).join(', ')}); the file holds ${found.length} for it`);
    }
    expected.forEach((w, i) => {
      const f = found[i]!;
      const same = f.shape.length === w.shape.length && f.shape.every((d, j) => d === w.shape[j]);
      if (!same || f.values.length !== w.shape.reduce((a: number, d) => a * (d ?? 0), 1)) {
        fail(`weights of the wrong shape: ${site} needs ${shapeText(w.shape)} for ${w.originalName}; the file's ${f.path} is ${shapeText(f.shape)}`);
      }
    });
    const tensors = found.map((f) => tf.tensor(f.values, f.shape, 'float32'));
    layer.setWeights(tensors);
    tf.dispose(tensors);
  }
}

async function buildModel(root: unknown, version: unknown): Promise<{ model: tfl.LayersModel; layers: readonly KerasLayerInfo[] }> {
  const major = kerasMajorOf(version, root);
  const { topology, layers } = normalizeKerasConfig(root, major);
  let model: tfl.LayersModel;
  try {
    model = await tfl.models.modelFromJSON({ modelTopology: topology } as unknown as tfl.ModelAndWeightsConfig);
  } catch (err) {
    if (err instanceof UserError) throw err;
    return fail(`TensorFlow.js cannot build the model: ${(err as Error).message.split('\n')[0]}`);
  }
  return { model, layers };
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    return fail(`${what} is not valid JSON: ${(err as Error).message}`);
  }
}

async function fromKerasZip(bytes: Uint8Array): Promise<LoadedKerasModel> {
  let members: Record<string, Uint8Array>;
  try {
    members = unzipSync(bytes);
  } catch (err) {
    return fail(`the .keras file is a damaged zip archive (truncated?): ${(err as Error).message}`);
  }
  const text = (name: string) => {
    const m = members[name];
    return m === undefined ? fail(`the .keras archive has no ${name}`) : new TextDecoder().decode(m);
  };
  const config = parseJson(text('config.json'), 'config.json');
  const metadata = parseJson(text('metadata.json'), 'metadata.json') as { keras_version?: string };
  const weightsFile = members['model.weights.h5'] ?? fail('the .keras archive has no model.weights.h5');
  const root = await readHdf5(weightsFile, 'model.weights.h5');
  const { model, layers } = await buildModel(config, metadata.keras_version ?? '3');
  assignLoaded(model, kerasWeights(root, layers));
  return { model, format: 'keras', kerasVersion: metadata.keras_version };
}

function assignLoaded(model: tfl.LayersModel, weights: Map<string, FileWeight[]>): void {
  try {
    assignWeights(model, weights);
  } catch (err) {
    model.dispose();
    throw err;
  }
}

function attrText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return new TextDecoder().decode(value);
  return undefined;
}

async function fromLegacyH5(bytes: Uint8Array): Promise<LoadedKerasModel> {
  const root = await readHdf5(bytes, 'the .h5 file');
  const configText = attrText(root.attrs['model_config']);
  if (configText === undefined) {
    fail('the .h5 file has no model_config: it holds weights only (model.save_weights); save the whole model with model.save');
  }
  const version = attrText(root.attrs['keras_version']);
  const { model, layers } = await buildModel(parseJson(configText, 'model_config'), version);
  assignLoaded(model, legacyWeights(root, layers));
  return { model, format: 'h5', kerasVersion: version };
}

async function fromModelJson(source: KerasModelJson): Promise<LoadedKerasModel> {
  const json = (typeof source.modelJson === 'string' ? parseJson(source.modelJson, 'model.json') : source.modelJson) as {
    modelTopology?: { keras_version?: string; model_config?: unknown } & Record<string, unknown>;
    weightsManifest?: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
    generatedBy?: string;
  };
  if (json.modelTopology === undefined || !Array.isArray(json.weightsManifest)) fail('model.json has no modelTopology or weightsManifest');
  const parts = (Array.isArray(source.weights) ? source.weights : [source.weights]) as (ArrayBuffer | Uint8Array)[];
  const total = parts.reduce((n, p) => n + p.byteLength, 0);
  const buffer = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    buffer.set(p instanceof Uint8Array ? p : new Uint8Array(p), offset);
    offset += p.byteLength;
  }
  const specs = json.weightsManifest.flatMap((g) => g.weights);
  const needed = specs.reduce((n, s) => n + s.shape.reduce((a, d) => a * d, 1) * (s.dtype === 'float32' || s.dtype === 'int32' ? 4 : 1), 0);
  if (specs.some((s) => s.quantization !== undefined)) fail('model.json holds quantized weights; convert the model without --quantize_* to load it exactly');
  if (total !== needed) fail(`the weight files hold ${total} bytes; model.json describes ${needed}`);
  const named = new Map<string, FileWeight>();
  const decoded = tf.io.decodeWeights(buffer.buffer, specs);
  for (const s of specs) {
    const t = decoded[s.name]!;
    named.set(s.name, { path: s.name, shape: s.shape, values: Float32Array.from(t.dataSync() as Float32Array) });
  }
  tf.dispose(Object.values(decoded));
  const version = json.modelTopology.keras_version ?? json.generatedBy;
  const { model, layers } = await buildModel(json.modelTopology, version);
  assignLoaded(model, manifestWeights(named, layers));
  return { model, format: 'tfjs', kerasVersion: typeof version === 'string' ? version.replace(/^keras v/, '') : undefined };
}

/**
 * Loads a Keras model (Keras 2 or 3; `.keras`, legacy `.h5`, or tensorflowjs_converter's
 * model.json with its weights) with its weights, and where it came from. Throws a
 * `UserError` (exit code 65) naming the layer for anything TensorFlow.js would compute
 * differently from Keras, and for a damaged file.
 */
export async function readKerasModel(source: KerasSource): Promise<LoadedKerasModel> {
  if (typeof Blob !== 'undefined' && source instanceof Blob) return readKerasModel(new Uint8Array(await source.arrayBuffer()));
  if (source instanceof ArrayBuffer || source instanceof Uint8Array) {
    const bytes = source instanceof Uint8Array ? source : new Uint8Array(source);
    if (isZip(bytes)) return fromKerasZip(bytes);
    if (isHdf5(bytes)) return fromLegacyH5(bytes);
    return fail('not a Keras file: neither a .keras zip archive nor an HDF5 .h5 file');
  }
  return fromModelJson(source as KerasModelJson);
}

/** {@link readKerasModel}'s model alone: a tfjs-layers model computing what Keras computed. */
export async function loadKerasModel(source: KerasSource): Promise<tfl.LayersModel> {
  return (await readKerasModel(source)).model;
}
