/**
 * HDF5 files as plain objects, read from and written to bytes with h5wasm (the HDF5 C library
 * compiled to WebAssembly; the same module in Node and in browsers). Files go through
 * h5wasm's in-memory file system only, so nothing here touches a disk. h5wasm (4 MB, its wasm
 * inlined) is imported on first use, so that pages importing `lisht` without reading Keras
 * files neither evaluate it nor, with a code-splitting bundler, download it.
 */
import type H5Wasm from 'h5wasm';
import { UserError } from '../errors.js';
import { EXIT } from '../exit_codes.js';

/** A dataset: its shape and its values (float32 for floating-point data). */
export interface H5Dataset {
  readonly shape: number[];
  readonly value: Float32Array | string[] | Int32Array;
}

/** A group: attributes, subgroups and datasets, in the file's order. */
export interface H5Group {
  readonly attrs: Record<string, unknown>;
  readonly groups: Map<string, H5Group>;
  readonly datasets: Map<string, H5Dataset>;
}

const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** Whether `bytes` start with the HDF5 signature. */
export function isHdf5(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && HDF5_SIGNATURE.every((b, i) => bytes[i] === b);
}

/**
 * The end-of-file address the superblock records, or undefined for a layout not known here:
 * a file shorter than that was cut off (checked here because HDF5 itself, on such a file,
 * prints a page of diagnostics before failing).
 */
function recordedEnd(bytes: Uint8Array): number | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = bytes[8];
  const sizeOfOffsets = version === 0 || version === 1 ? bytes[13] : version === 2 || version === 3 ? bytes[9] : undefined;
  if (sizeOfOffsets !== 8) return undefined;
  // v0: base address at 24 (28 in v1), then free-space, end-of-file; v2/3: base at 12, extension, end-of-file.
  const at = version === 0 ? 24 + 16 : version === 1 ? 28 + 16 : 12 + 16;
  if (bytes.length < at + 8) return Number.MAX_SAFE_INTEGER;
  return Number(view.getBigUint64(at, true));
}

let counter = 0;
const scratchName = () => `/lisht-${Date.now()}-${counter++}.h5`;

type Lib = typeof H5Wasm;
interface MemoryFs {
  writeFile(path: string, data: Uint8Array): void;
  readFile(path: string): Uint8Array;
  unlink(path: string): void;
}

let loaded: Promise<{ lib: Lib; fs: MemoryFs }> | undefined;

/** h5wasm, started once, with HDF5 errors as exceptions rather than diagnostics on stderr. */
function library(): Promise<{ lib: Lib; fs: MemoryFs }> {
  loaded ??= import('h5wasm').then(async ({ default: lib }) => {
    const module = await lib.ready;
    module.activate_throwing_error_handler();
    return { lib, fs: module.FS as unknown as MemoryFs };
  });
  return loaded;
}

function readGroup(lib: Lib, group: InstanceType<Lib['Group']>, where: string): H5Group {
  const attrs: Record<string, unknown> = {};
  for (const [key, attr] of Object.entries(group.attrs)) attrs[key] = attr.value;
  const groups = new Map<string, H5Group>();
  const datasets = new Map<string, H5Dataset>();
  for (const key of group.keys()) {
    const entity = group.get(key);
    if (entity instanceof lib.Group) groups.set(key, readGroup(lib, entity, `${where}${key}/`));
    else if (entity instanceof lib.Dataset) {
      const raw = entity.value;
      let value: H5Dataset['value'];
      if (raw instanceof Float32Array || raw instanceof Int32Array) value = raw;
      else if (raw instanceof Float64Array || raw instanceof Uint8Array || raw instanceof Int8Array || raw instanceof Uint16Array || raw instanceof Int16Array) value = Float32Array.from(raw);
      else if (typeof raw === 'number') value = Float32Array.of(raw);
      else if (Array.isArray(raw) && raw.every((s) => typeof s === 'string')) value = raw as string[];
      else throw new UserError(`HDF5 dataset ${where}${key} has type ${JSON.stringify(entity.dtype)}, which a Keras model's weights never have`, EXIT.DATA);
      datasets.set(key, { shape: entity.shape ?? [], value });
    }
  }
  return { attrs, groups, datasets };
}

/** HDF5's error stack in one line: what failed first (`unable to open file`) and the deepest cause. */
function hdf5Reason(message: string): string {
  const steps = [...message.matchAll(/#\d+: .* in [\w.]+\(\): (.+)$/gm)].map((m) => m[1]!.trim());
  if (steps.length === 0) return message.split('\n')[0]!;
  return steps.length === 1 ? steps[0]! : `${steps[0]} (${steps[steps.length - 1]})`;
}

/** Reads a whole HDF5 file from bytes. `label` names it in errors. */
export async function readHdf5(bytes: Uint8Array, label: string): Promise<H5Group> {
  if (!isHdf5(bytes)) throw new UserError(`${label} is not an HDF5 file (no HDF5 signature)`, EXIT.DATA);
  const end = recordedEnd(bytes);
  if (end !== undefined && end > bytes.length) throw new UserError(`${label} is truncated: it has ${bytes.length} bytes, its header says ${end}`, EXIT.DATA);
  const { lib, fs } = await library();
  const path = scratchName();
  fs.writeFile(path, bytes);
  let file: InstanceType<Lib['File']> | undefined;
  try {
    file = new lib.File(path, 'r');
    return readGroup(lib, file, '/');
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`${label} is a damaged HDF5 file: ${hdf5Reason((err as Error).message)}`, EXIT.DATA);
  } finally {
    file?.close();
    fs.unlink(path);
  }
}

/** A group to write: attributes (strings), subgroups, float32 datasets. Insertion order is kept. */
export interface H5WriteGroup {
  attrs?: Record<string, string>;
  /** Attributes holding lists of strings (Keras's `layer_names`, `weight_names`). */
  listAttrs?: Record<string, string[]>;
  groups?: [string, H5WriteGroup][];
  datasets?: [string, { shape: number[]; value: Float32Array }][];
}

function writeGroup(target: InstanceType<Lib['Group']>, spec: H5WriteGroup): void {
  for (const [key, value] of Object.entries(spec.attrs ?? {})) target.create_attribute(key, value);
  for (const [key, value] of Object.entries(spec.listAttrs ?? {})) target.create_attribute(key, value, [value.length]);
  for (const [name, data] of spec.datasets ?? []) {
    target.create_dataset({ name, data: data.value, shape: data.shape, dtype: '<f' });
  }
  for (const [name, child] of spec.groups ?? []) writeGroup(target.create_group(name), child);
}

/** Writes an HDF5 file and returns its bytes. */
export async function writeHdf5(root: H5WriteGroup): Promise<Uint8Array> {
  const { lib, fs } = await library();
  const path = scratchName();
  const file = new lib.File(path, 'w');
  try {
    writeGroup(file, root);
  } finally {
    file.close();
  }
  const bytes = fs.readFile(path);
  fs.unlink(path);
  return new Uint8Array(bytes);
}
