/**
 * The playground page: wires the controls, the URL state and the three parts (explorer, toy
 * classifier, CIFAR experiment) together, and exposes `window.playground` so the page's own
 * state can be read by tests and scripts.
 */
import '../../register.js';
import { ACTIVATION_NAMES, getActivation } from '../../activations/zoo.js';
import { DATASET_INPUTS } from '../../models/inputs.js';
import { benchTraining, type BenchResult } from '../../training/bench.js';
import { startBackend, webglContext, type BackendStart } from './backend.js';
import { CifarExperiment } from './cifar.js';
import { drawExplorer } from './explorer.js';
import { BACKENDS, readState, TOY_DATASETS, writeState, type PageState } from './state.js';
import { ToyClassifier } from './toy.js';

/** What the page exposes as `window.playground`. */
export interface PlaygroundApi {
  ready: boolean;
  state: PageState;
  backend?: BackendStart;
  /** Every message the page showed the user, in order. */
  messages: string[];
  toy: ToyClassifier;
  cnn: CifarExperiment;
  /** The webgl backend's context, where webgl runs (to test context loss). */
  webglContext(): WebGL2RenderingContext | null;
  /** Times seed-cnn training steps on CIFAR-10-shaped data, as `lisht bench` does in Node (bench/browser-step.ts). */
  bench(options: { activation: string; batchSize: number; steps: number; warmup: number }): Promise<BenchResult>;
}

const $ = <T extends HTMLElement = HTMLElement>(selector: string): T => document.querySelector<T>(selector)!;

const state = readState(location.search);
const messages: string[] = [];

function banner(text: string): void {
  messages.push(text);
  const box = $('#banner');
  const line = document.createElement('p');
  line.textContent = text;
  box.append(line);
  box.hidden = false;
}

function saveState(): void {
  history.replaceState(null, '', `${location.pathname}${writeState(state)}`);
}

function fillSelect(select: HTMLSelectElement, values: readonly string[], label: (v: string) => string, value: string): void {
  select.replaceChildren(...values.map((v) => new Option(label(v), v)));
  if (!values.includes(value)) select.append(new Option(`${value} (unknown)`, value));
  select.value = value;
}

const toy = new ToyClassifier($('#toy'), banner);
const cnn = new CifarExperiment($('#cnn'), banner);
const api: PlaygroundApi = {
  ready: false,
  state,
  messages,
  toy,
  cnn,
  webglContext,
  bench: (o) => benchTraining({ model: 'seed-cnn', input: DATASET_INPUTS.cifar10, ...o }),
};
(globalThis as unknown as { playground: PlaygroundApi }).playground = api;

function redrawExplorer(): void {
  drawExplorer($('#explorer'), state.a, state.b);
}

function setupControls(): void {
  const label = (name: string) => getActivation(name).label;
  fillSelect($<HTMLSelectElement>('#act-a'), ACTIVATION_NAMES, label, state.a);
  fillSelect($<HTMLSelectElement>('#act-b'), ACTIVATION_NAMES, label, state.b);
  fillSelect($<HTMLSelectElement>('#backend'), BACKENDS, (v) => v, state.backend);
  fillSelect($<HTMLSelectElement>('#toy-data'), TOY_DATASETS, (v) => v, state.data);
  $<HTMLInputElement>('#threads').checked = state.threads !== 0;
  $<HTMLInputElement>('#kernels').checked = state.kernels;
  $<HTMLInputElement>('#toy-layers').value = state.layers.join(',');
  $<HTMLInputElement>('#toy-lr').value = String(state.lr);
  for (const [id, key] of [['#cnn-train', 'train'], ['#cnn-test', 'test'], ['#cnn-batch', 'batch'], ['#cnn-epochs', 'epochs']] as const) {
    const input = $<HTMLInputElement>(id);
    input.value = String(state[key]);
    input.addEventListener('change', () => {
      const n = Number(input.value);
      if (Number.isSafeInteger(n) && n >= 1) {
        state[key] = n;
        saveState();
      } else input.value = String(state[key]);
    });
  }

  const activationChanged = () => {
    state.a = $<HTMLSelectElement>('#act-a').value;
    state.b = $<HTMLSelectElement>('#act-b').value;
    saveState();
    redrawExplorer();
    toy.reset(state);
  };
  $('#act-a').addEventListener('change', activationChanged);
  $('#act-b').addEventListener('change', activationChanged);
  // A backend is chosen once per page (TensorFlow.js's wasm threads are fixed at start).
  const reloadWith = () => {
    state.backend = $<HTMLSelectElement>('#backend').value;
    state.threads = $<HTMLInputElement>('#threads').checked ? -1 : 0;
    state.kernels = $<HTMLInputElement>('#kernels').checked;
    location.search = writeState(state);
  };
  for (const id of ['#backend', '#threads', '#kernels']) $(id).addEventListener('change', reloadWith);

  $('#toy-data').addEventListener('change', () => {
    state.data = $<HTMLSelectElement>('#toy-data').value as PageState['data'];
    saveState();
    toy.reset(state);
  });
  $('#toy-layers').addEventListener('change', () => {
    const input = $<HTMLInputElement>('#toy-layers');
    const layers = input.value.split(',').map((s) => Number(s.trim()));
    if (layers.length >= 1 && layers.length <= 6 && layers.every((n) => Number.isSafeInteger(n) && n >= 1 && n <= 64)) {
      state.layers = layers;
      saveState();
      toy.reset(state);
    } else banner(`hidden layers must be 1 to 6 widths of 1 to 64 units, like 8,8 (got "${input.value}")`);
  });
  $('#toy-lr').addEventListener('change', () => {
    const lr = Number($<HTMLInputElement>('#toy-lr').value);
    if (lr > 0 && lr <= 10) {
      state.lr = lr;
      saveState();
      toy.reset(state);
    } else banner(`the learning rate must be above 0 and at most 10 (got "${$<HTMLInputElement>('#toy-lr').value}")`);
  });
  const runButton = $<HTMLButtonElement>('#toy-run');
  runButton.addEventListener('click', () => {
    if (toy.isRunning) {
      toy.pause();
      runButton.textContent = 'Train';
    } else {
      runButton.textContent = 'Pause';
      void toy.run(state.toySteps).then(() => (runButton.textContent = 'Train'));
    }
  });
  $('#toy-reset').addEventListener('click', () => {
    runButton.textContent = 'Train';
    toy.reset(state);
  });

  $('#cnn-run').addEventListener('click', () => void cnn.run(state));
  $('#cnn-stop').addEventListener('click', () => cnn.stop());
  const drop = $('#drop');
  drop.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    const file = e.dataTransfer?.files[0];
    if (file) void cnn.loadFile(file);
  });
  $<HTMLInputElement>('#cnn-file').addEventListener('change', (e) => {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (file) void cnn.loadFile(file);
  });
}

function watchWebGl(): void {
  const gl = webglContext();
  if (!gl) return;
  (gl.canvas as HTMLCanvasElement).addEventListener('webglcontextlost', () => {
    toy.pause();
    cnn.stop();
    banner('The WebGL context was lost (the GPU was reset, or another tab needed its memory): training stopped. Reload the page to start again, or pick another backend.');
  });
}

async function main(): Promise<void> {
  window.addEventListener('unhandledrejection', (e) => banner(`unexpected error: ${(e.reason as Error)?.message ?? e.reason}`));
  setupControls();
  redrawExplorer();
  $('#backend-info').textContent = `starting ${state.backend}…`;
  try {
    api.backend = await startBackend(state.backend, { threads: state.threads, kernels: state.kernels });
    $('#backend-info').textContent = `running on ${api.backend.description}`;
    if (api.backend.failure) banner(`${api.backend.failure}; running on ${api.backend.name} instead.`);
  } catch (err) {
    banner((err as Error).message);
    $('#backend-info').textContent = 'no backend started';
    api.ready = true;
    return;
  }
  watchWebGl();
  toy.reset(state);
  const served = await cnn.loadServed();
  api.ready = true;
  if (state.autorun.includes('toy')) {
    $('#toy-run').textContent = 'Pause';
    await toy.run(state.toySteps);
    $('#toy-run').textContent = 'Train';
  }
  if (state.autorun.includes('cnn') && served) await cnn.run(state);
}

void main();
