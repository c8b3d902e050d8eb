/**
 * Saving and loading tfjs-layers models as files (`model.json` + `weights.bin`), the format
 * `tfjs-node`'s `file://` handler writes, without needing `tfjs-node`.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { UserError } from '../errors.js';
import { writeFileAtomic } from '../reports/write.js';
import { makeDir } from '../make_dir.js';

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

interface ModelJson {
  modelTopology: object;
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  trainingConfig?: object;
}

function concatWeightData(data: tf.io.WeightData | undefined): Uint8Array {
  if (data === undefined) return new Uint8Array(0);
  const parts = Array.isArray(data) ? data : [data];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(new Uint8Array(p), offset);
    offset += p.byteLength;
  }
  return out;
}

/** An IOHandler that writes `model.json` and `weights.bin` into `dir`, each atomically. */
export function fileSaveHandler(dir: string): tf.io.IOHandler {
  return tf.io.withSaveHandler(async (artifacts) => {
    await makeDir(dir);
    const weights = concatWeightData(artifacts.weightData);
    // Weights first: a model.json only ever points at a complete weights file.
    await writeFileAtomic(join(dir, WEIGHTS_BIN), weights);
    const json: ModelJson = {
      modelTopology: artifacts.modelTopology as object,
      format: artifacts.format,
      generatedBy: artifacts.generatedBy,
      convertedBy: artifacts.convertedBy ?? null,
      weightsManifest: [{ paths: [`./${WEIGHTS_BIN}`], weights: artifacts.weightSpecs ?? [] }],
      ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
    };
    await writeFileAtomic(join(dir, MODEL_JSON), JSON.stringify(json));
    return {
      modelArtifactsInfo: {
        dateSaved: new Date(),
        modelTopologyType: 'JSON',
        modelTopologyBytes: JSON.stringify(json.modelTopology).length,
        weightDataBytes: weights.byteLength,
      },
    };
  });
}

/** Saves `model` into `dir` (created if needed) as `model.json` + `weights.bin`. */
export async function saveModel(model: tfl.LayersModel, dir: string): Promise<void> {
  await model.save(fileSaveHandler(dir));
}

/** Reads the artifacts of a model saved in the layers format in `dir`. */
export async function readModelArtifacts(dir: string): Promise<tf.io.ModelArtifacts> {
  const jsonPath = join(dir, MODEL_JSON);
  let json: ModelJson;
  try {
    json = JSON.parse(await readFile(jsonPath, 'utf8')) as ModelJson;
  } catch (err) {
    throw new UserError(`cannot read model ${jsonPath}: ${(err as Error).message}`);
  }
  if (typeof json.modelTopology !== 'object' || !Array.isArray(json.weightsManifest)) {
    throw new UserError(`${jsonPath} is not a TensorFlow.js layers model (no modelTopology/weightsManifest)`);
  }
  const weightSpecs: tf.io.WeightsManifestEntry[] = [];
  const buffers: Uint8Array[] = [];
  for (const group of json.weightsManifest) {
    weightSpecs.push(...group.weights);
    for (const p of group.paths) buffers.push(await readFile(join(dir, p)));
  }
  const weightData = concatWeightData(buffers.map((b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer)).buffer as ArrayBuffer;
  const expected = weightSpecs.reduce((n, w) => n + w.shape.reduce((a, d) => a * d, 1) * (w.dtype === 'bool' ? 1 : 4), 0);
  if (weightData.byteLength !== expected) {
    throw new UserError(`weights of ${jsonPath} are ${weightData.byteLength} bytes, the manifest needs ${expected}`);
  }
  return { modelTopology: json.modelTopology, weightSpecs, weightData, format: json.format, generatedBy: json.generatedBy, convertedBy: json.convertedBy ?? undefined };
}

/** Loads a model saved by {@link saveModel} (or by tfjs-node's `file://` handler). */
export async function loadModel(dir: string): Promise<tfl.LayersModel> {
  return tfl.loadLayersModel(tf.io.fromMemory(await readModelArtifacts(dir)));
}
