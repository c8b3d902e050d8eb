/**
 * The Keras browser test page: loads the Keras fixtures, fetched from the test server as a
 * user's page would get them (a File's bytes, or a model.json and its weight files), with
 * the main entry's loadKerasModel, and writes one back with toKerasFile. Driven from Node
 * through `window.kerasTest`.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { readKerasModel, toKerasFile, toKerasH5File, type KerasSource } from '../../../src/index.js';

export interface KerasTestApi {
  /**
   * Loads `/fixtures/<model>.<format>` and returns its predictions on `inputs` (float32 values
   * as plain numbers), and the format and version the loader read.
   */
  predict(model: string, format: string, inputs: { shape: number[]; data: number[] }[]): Promise<{ format: string; kerasVersion?: string; outputs: number[][] }>;
  /** Loads a .keras fixture, writes it with toKerasFile and toKerasH5File, reloads those: are weights and outputs bit-identical? */
  roundTrip(model: string, inputs: { shape: number[]; data: number[] }[]): Promise<boolean>;
  /** The loader's message for bytes that are no Keras file. */
  refusal(): Promise<string>;
}

async function fetchBytes(path: string): Promise<Uint8Array> {
  const response = await fetch(path);
  if (!response.ok) throw new Error(`${path}: ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

async function source(model: string, format: string): Promise<KerasSource> {
  if (format === 'keras' || format === 'h5') {
    // As a page gets a file from <input type="file">: a File (a Blob).
    return new File([(await fetchBytes(`/fixtures/${model}.${format}`)) as Uint8Array<ArrayBuffer>], `${model}.${format}`);
  }
  const modelJson = (await (await fetch(`/fixtures/${model}.${format}/model.json`)).json()) as { weightsManifest: { paths: string[] }[] };
  const weights = await Promise.all(modelJson.weightsManifest.flatMap((g) => g.paths.map((p) => fetchBytes(`/fixtures/${model}.${format}/${p}`))));
  return { modelJson, weights };
}

function run(model: import('@tensorflow/tfjs-layers').LayersModel, inputs: { shape: number[]; data: number[] }[]): Float32Array[] {
  const xs = inputs.map((i) => tf.tensor(i.data, i.shape, 'float32'));
  const raw = model.predict(xs.length === 1 ? xs[0]! : xs);
  const outs = Array.isArray(raw) ? raw : [raw];
  const values = outs.map((t) => t.dataSync() as Float32Array);
  tf.dispose([...xs, ...outs]);
  return values;
}

const sameBits = (a: Float32Array, b: Float32Array) => a.length === b.length && new Uint32Array(a.buffer).every((v, i) => v === new Uint32Array(b.buffer)[i]);

const api: KerasTestApi = {
  async predict(model, format, inputs) {
    await tf.setBackend('cpu');
    const loaded = await readKerasModel(await source(model, format));
    const outputs = run(loaded.model, inputs).map((v) => Array.from(v));
    loaded.model.dispose();
    return { format: loaded.format, kerasVersion: loaded.kerasVersion, outputs };
  },
  async roundTrip(model, inputs) {
    await tf.setBackend('cpu');
    const first = (await readKerasModel(await source(model, 'keras'))).model;
    const a = run(first, inputs);
    for (const bytes of [await toKerasFile(first), await toKerasH5File(first)]) {
      const second = (await readKerasModel(bytes)).model;
      const weightsSame = first.getWeights().every((w, i) => sameBits(w.dataSync() as Float32Array, second.getWeights()[i]!.dataSync() as Float32Array));
      const b = run(second, inputs);
      if (!weightsSame || !a.every((v, i) => sameBits(v, b[i]!))) return false;
    }
    return true;
  },
  async refusal() {
    try {
      await readKerasModel(new TextEncoder().encode('not a model'));
      return 'loaded';
    } catch (err) {
      return (err as Error).message;
    }
  },
};

(globalThis as unknown as { kerasTest: KerasTestApi }).kerasTest = api;
