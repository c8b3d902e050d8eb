/**
 * "Open a model": a Keras `.keras` or `.h5` file, or a TensorFlow.js model.json with its weight
 * files, dropped or chosen, read by the package's Keras loader (`readKerasModel`) in this tab,
 * then shown as its Keras-style summary and the activations its layers use. The loader (and
 * its HDF5 reader, a few MB of wasm) is imported on the first file, not with the page.
 */
import { getActivation } from '../../activations/zoo.js';
import { formatModelSummary, modelSummary } from '../../models/summary.js';
import { dropZone } from './drop_zone.js';

/** One layer's activation as the page lists it. */
export interface LayerActivation {
  layer: string;
  type: string;
  activation: string;
}

/** What the viewer shows, read by tests as `window.playground.model`. */
export interface ModelView {
  status: 'empty' | 'loading' | 'loaded' | 'error';
  file?: string;
  format?: string;
  summary?: string;
  activations: LayerActivation[];
  error?: string;
}

/** Layers that are an activation by their class, and the zoo name of it. */
const ACTIVATION_LAYERS: Record<string, string> = { LiSHT: 'lisht', ReLU: 'relu', ELU: 'elu', LeakyReLU: 'leaky_relu', PReLU: 'prelu', Softmax: 'softmax', ThresholdedReLU: 'thresholded_relu' };

/** The activation a layer applies, if any: its `activation` setting, or its class. */
function activationOf(type: string, config: Record<string, unknown>): string | undefined {
  const a = config.activation;
  if (typeof a === 'string') return a;
  if (a && typeof a === 'object' && typeof (a as { className?: unknown }).className === 'string') return (a as { className: string }).className;
  return ACTIVATION_LAYERS[type];
}

/** The zoo's name for `name`, when the zoo has it (so the explorer can draw it). */
function zooName(name: string): string | undefined {
  try {
    return getActivation(name)?.name;
  } catch {
    return undefined;
  }
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export class ModelViewer {
  readonly view: ModelView = { status: 'empty', activations: [] };

  /** `show(name)` draws a zoo activation in the explorer. */
  constructor(
    private readonly root: HTMLElement,
    private readonly show: (activation: string) => void,
  ) {
    dropZone(root.querySelector<HTMLElement>('#model-drop')!, root.querySelector<HTMLInputElement>('#model-file')!, (files) => void this.open(files));
  }

  private message(text: string, kind: 'info' | 'error'): void {
    const p = this.root.querySelector<HTMLElement>('#model-message')!;
    p.textContent = text;
    p.classList.toggle('error', kind === 'error');
  }

  /** Loads the model in `files`: one `.keras` / `.h5` file, or a model.json and its weight files. */
  async open(files: File[]): Promise<void> {
    if (files.length === 0) return;
    Object.assign(this.view, { status: 'loading', file: files.map((f) => f.name).join(', '), format: undefined, summary: undefined, activations: [], error: undefined });
    this.message(`Reading ${this.view.file}…`, 'info');
    try {
      const { readKerasModel } = await import('../../keras/load.js');
      const json = files.find((f) => f.name.endsWith('.json'));
      let loaded;
      if (json !== undefined) {
        const modelJson = JSON.parse(await json.text()) as { weightsManifest?: { paths: string[] }[] };
        const byName = new Map(files.map((f) => [f.name, f]));
        const paths = (modelJson.weightsManifest ?? []).flatMap((g) => g.paths);
        const missing = paths.filter((p) => !byName.has(baseName(p)));
        if (missing.length > 0) throw new Error(`${json.name} lists weight files that were not given with it: ${missing.join(', ')} (choose or drop them together)`);
        loaded = await readKerasModel({ modelJson, weights: await Promise.all(paths.map(async (p) => new Uint8Array(await byName.get(baseName(p))!.arrayBuffer()))) });
      } else if (files.length === 1) {
        loaded = await readKerasModel(files[0]!);
      } else {
        throw new Error('give one .keras or .h5 file, or a model.json with its weight files');
      }
      const { model } = loaded;
      this.view.format = loaded.format;
      this.view.summary = formatModelSummary(modelSummary(model));
      this.view.activations = model.layers.flatMap((l) => {
        const activation = activationOf(l.getClassName(), l.getConfig() as Record<string, unknown>);
        return activation === undefined || activation === 'linear' ? [] : [{ layer: l.name, type: l.getClassName(), activation }];
      });
      model.dispose();
      this.view.status = 'loaded';
      this.render();
      const version = loaded.kerasVersion ? `, Keras ${loaded.kerasVersion}` : '';
      this.message(`${this.view.file}: ${loaded.format === 'tfjs' ? 'TensorFlow.js model' : `.${loaded.format} file`}${version}, ${this.view.activations.length} layers with an activation.`, 'info');
    } catch (err) {
      this.view.status = 'error';
      this.view.error = (err as Error).message;
      this.render();
      this.message(`Cannot open ${this.view.file}: ${this.view.error}`, 'error');
    }
  }

  private render(): void {
    const pre = this.root.querySelector<HTMLElement>('#model-summary')!;
    pre.textContent = this.view.summary ?? '';
    const table = this.root.querySelector<HTMLTableElement>('#model-activations')!;
    table.replaceChildren();
    if (this.view.activations.length === 0) return;
    const caption = table.createCaption();
    caption.textContent = 'Activations of the model, layer by layer';
    const head = table.createTHead().insertRow();
    for (const h of ['layer', 'class', 'activation']) {
      const th = document.createElement('th');
      th.scope = 'col';
      th.textContent = h;
      head.append(th);
    }
    const body = table.createTBody();
    for (const a of this.view.activations) {
      const row = body.insertRow();
      row.insertCell().textContent = a.layer;
      row.insertCell().textContent = a.type;
      const cell = row.insertCell();
      const name = zooName(a.activation);
      if (name === undefined) {
        cell.textContent = a.activation;
        continue;
      }
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = a.activation;
      button.title = `draw ${a.activation} as A in section 1`;
      button.addEventListener('click', () => this.show(name));
      cell.append(button);
    }
  }
}
