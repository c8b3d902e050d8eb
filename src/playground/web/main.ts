/**
 * The playground page: wires the controls, the URL state and the three parts (explorer, toy
 * classifier, CIFAR experiment) together, and exposes `window.playground` so the page's own
 * state can be read by tests and scripts. The CIFAR experiment trains in a Web Worker
 * (cnn_worker.ts); the toy classifier, a few milliseconds a step, trains here.
 */
import '../../register.js';
import { ACTIVATION_NAMES, getActivation } from '../../activations/zoo.js';
import { DATASET_INPUTS } from '../../models/inputs.js';
import { benchTraining, type BenchResult } from '../../training/bench.js';
import { DATA_URL, type SiteKind } from '../paths.js';
import { describeThreads, startBackend, webglContext, type BackendStart } from './backend.js';
import { CifarExperiment } from './cifar.js';
import { dropZone } from './drop_zone.js';
import { drawExplorer } from './explorer.js';
import { Messages } from './messages.js';
import { ModelViewer, type ModelView } from './model_view.js';
import { BACKENDS, readState, TOY_DATASETS, writeState, type PageState } from './state.js';
import { ToyClassifier } from './toy.js';

/** What the page exposes as `window.playground`. */
export interface PlaygroundApi {
  ready: boolean;
  state: PageState;
  /** The backend of this page (the toy classifier, `bench`); the CNN's is `cnn.backend`. */
  backend?: BackendStart;
  /** Every message the page showed the user, in order. */
  messages: string[];
  toy: ToyClassifier;
  cnn: CifarExperiment;
  /** The model opened in section 4. */
  model: ModelView;
  /** Whether this page is the static build (`lisht playground --build`), which serves no data. */
  staticSite: boolean;
  /** The webgl backend's context, where webgl runs (to test context loss). */
  webglContext(): WebGL2RenderingContext | null;
  /** Times seed-cnn training steps on CIFAR-10-shaped data, as `lisht bench` does in Node (bench/browser-step.ts). */
  bench(options: { activation: string; batchSize: number; steps: number; warmup: number }): Promise<BenchResult>;
}

const $ = <T extends HTMLElement = HTMLElement>(selector: string): T => document.querySelector<T>(selector)!;

const state = readState(location.search);
const notes = new Messages($('#banner'));
const banner = (text: string) => notes.banner(text);
const site = document.querySelector<HTMLMetaElement>('meta[name="lisht-site"]')?.content as SiteKind | undefined;
const staticSite = site === 'static';

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
// A zoo activation of an opened model is drawn as A, through A's own picker.
const viewer = new ModelViewer($('#model'), (name) => {
  const select = $<HTMLSelectElement>('#act-a');
  if (select.disabled) return;
  select.value = name;
  select.dispatchEvent(new Event('change'));
  $('#explorer').scrollIntoView();
});
const api: PlaygroundApi = {
  ready: false,
  state,
  messages: notes.log,
  toy,
  cnn,
  model: viewer.view,
  staticSite,
  webglContext,
  bench: (o) => benchTraining({ model: 'seed-cnn', input: DATASET_INPUTS.cifar10, ...o }),
};
(globalThis as unknown as { playground: PlaygroundApi }).playground = api;

function redrawExplorer(): void {
  drawExplorer($('#explorer'), state.a, state.b);
}

/**
 * Rebuilds the toy networks from the state; if they were training, they go on training, and
 * the page says they started again from step 0 (`why` names what changed).
 */
async function restartToy(why: string): Promise<void> {
  const wasRunning = toy.isRunning;
  const at = toy.step;
  toy.pause();
  await toy.finished;
  toy.reset(state);
  $('#toy-note').textContent = at > 0 ? `${why}: both networks start again from step 0 with ${getActivation(state.a).label} and ${getActivation(state.b).label}${wasRunning ? ' and keep training' : ''}.` : '';
  if (wasRunning) startToy();
}

function startToy(): Promise<void> {
  const runButton = $<HTMLButtonElement>('#toy-run');
  runButton.textContent = 'Pause';
  $<HTMLButtonElement>('#toy-step').disabled = true;
  return toy.run(state.toySteps).then(() => {
    if (toy.isRunning) return;
    runButton.textContent = 'Train';
    $<HTMLButtonElement>('#toy-step').disabled = false;
  });
}

/** A field whose value must pass `parse`; an invalid one says why next to it until corrected. */
function field(id: string, show: string, parse: (text: string) => string | undefined, apply: () => void): void {
  const input = $<HTMLInputElement>(id);
  input.value = show;
  input.addEventListener('change', () => {
    const problem = parse(input.value.trim());
    notes.field(input, problem);
    if (problem === undefined) {
      saveState();
      apply();
    }
  });
}

function setupControls(): void {
  const label = (name: string) => getActivation(name).label;
  fillSelect($<HTMLSelectElement>('#act-a'), ACTIVATION_NAMES, label, state.a);
  fillSelect($<HTMLSelectElement>('#act-b'), ACTIVATION_NAMES, label, state.b);
  fillSelect($<HTMLSelectElement>('#backend'), BACKENDS, (v) => v, state.backend);
  fillSelect($<HTMLSelectElement>('#toy-data'), TOY_DATASETS, (v) => v, state.data);
  $<HTMLInputElement>('#threads').checked = state.threads !== 0;
  $<HTMLInputElement>('#kernels').checked = state.kernels;

  const bounds = { train: [1, 50_000], test: [1, 10_000], batch: [1, 1000], epochs: [1, 100] } as const;
  for (const [id, key, name] of [['#cnn-train', 'train', 'training images'], ['#cnn-test', 'test', 'test images'], ['#cnn-batch', 'batch', 'the batch size'], ['#cnn-epochs', 'epochs', 'epochs']] as const) {
    const [lo, hi] = bounds[key];
    field(id, String(state[key]), (text) => {
      const n = Number(text);
      if (text === '' || !Number.isSafeInteger(n) || n < lo || n > hi) return `${name} must be a whole number from ${lo} to ${hi.toLocaleString('en')} (got "${text}")`;
      state[key] = n;
      return undefined;
    }, () => undefined);
  }
  field('#toy-layers', state.layers.join(','), (text) => {
    const layers = text.split(',').map((s) => Number(s.trim()));
    if (!(layers.length >= 1 && layers.length <= 6 && layers.every((n) => Number.isSafeInteger(n) && n >= 1 && n <= 64))) return `hidden layers must be 1 to 6 widths of 1 to 64 units, like 8,8 (got "${text}")`;
    state.layers = layers;
    return undefined;
  }, () => void restartToy('New hidden layers'));
  field('#toy-lr', String(state.lr), (text) => {
    const lr = Number(text);
    if (!(text !== '' && lr > 0 && lr <= 10)) return `the learning rate must be above 0 and at most 10 (got "${text}")`;
    state.lr = lr;
    return undefined;
  }, () => void restartToy('New learning rate'));

  const noise = $<HTMLInputElement>('#toy-noise');
  noise.value = String(state.noise);
  $('#toy-noise-value').textContent = String(state.noise);
  noise.addEventListener('input', () => ($('#toy-noise-value').textContent = noise.value));
  noise.addEventListener('change', () => {
    state.noise = Number(noise.value);
    saveState();
    void restartToy('New noise');
  });

  const activationChanged = () => {
    state.a = $<HTMLSelectElement>('#act-a').value;
    state.b = $<HTMLSelectElement>('#act-b').value;
    saveState();
    redrawExplorer();
    void restartToy('New activations');
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
    void restartToy('New data');
  });
  $('#toy-run').addEventListener('click', () => {
    if (toy.isRunning) toy.pause();
    else void startToy();
  });
  $('#toy-step').addEventListener('click', () => void toy.stepOnce());
  $('#toy-reset').addEventListener('click', async () => {
    toy.pause();
    await toy.finished;
    $('#toy-note').textContent = '';
    toy.reset(state);
  });

  $('#cnn-run').addEventListener('click', () => void cnn.run({ a: state.a, b: state.b, train: state.train, test: state.test, batch: state.batch, epochs: state.epochs }));
  $('#cnn-stop').addEventListener('click', () => cnn.stop());
  dropZone($('#drop'), $<HTMLInputElement>('#cnn-file'), (files) => void cnn.loadFile(files[0]!));
}

function watchWebGl(): void {
  const gl = webglContext();
  if (!gl) return;
  // The page's context serves the toy classifier; the CNN's worker has its own and says when it loses it.
  (gl.canvas as HTMLCanvasElement).addEventListener('webglcontextlost', () => {
    toy.pause();
    banner("The WebGL context was lost (the GPU was reset, or another tab needed its memory): the toy classifier stopped. Reload the page to start again, or pick another backend.");
  });
}

/** Makes the backend controls say what runs, not what was asked (a fallback, fewer threads). */
function showBackend(start: BackendStart, threads: number | undefined): void {
  $<HTMLSelectElement>('#backend').value = start.name;
  if (start.name === 'wasm' && threads !== undefined) {
    $<HTMLInputElement>('#threads').checked = threads > 1;
    const said = describeThreads(state.threads, threads, crossOriginIsolated);
    if (said) banner(said);
  }
}

async function main(): Promise<void> {
  window.addEventListener('unhandledrejection', (e) => banner(`unexpected error: ${(e.reason as Error)?.message ?? e.reason}`));
  $('#footer').textContent = staticSite
    ? 'A static build of the LiSHT playground (lisht playground --build): everything runs in this tab, nothing leaves this machine.'
    : 'Served by lisht playground: everything runs in this tab, nothing leaves this machine.';
  setupControls();
  redrawExplorer();
  $('#backend-info').textContent = `starting ${state.backend}…`;
  const worker = cnn.start(state.backend, state.threads, state.kernels);
  try {
    api.backend = await startBackend(state.backend, { threads: state.threads, kernels: state.kernels });
    if (api.backend.failure) banner(`${api.backend.failure}; running on ${api.backend.name} instead.`);
  } catch (err) {
    banner((err as Error).message);
    $('#backend-info').textContent = 'no backend started';
    api.ready = true;
    return;
  }
  await worker;
  const cnnBackend = cnn.backend;
  $('#backend-info').textContent =
    !cnnBackend || cnnBackend.description === api.backend.description
      ? `running on ${api.backend.description}; the CNN trains in a Web Worker`
      : `toy classifier on ${api.backend.description}; the CNN trains in a Web Worker on ${cnnBackend.description}`;
  if (cnnBackend?.failure && cnnBackend.failure !== api.backend.failure) banner(`the CNN worker: ${cnnBackend.failure}; it trains on ${cnnBackend.name} instead.`);
  // Where either side fell back, the picker shows the fallback: what was asked for is not what runs.
  showBackend([api.backend, cnnBackend].find((b) => b?.failure) ?? cnnBackend ?? api.backend, cnn.threads);
  watchWebGl();
  toy.reset(state);
  // Asked only where an archive is served: elsewhere the request would only log a 404.
  const offered = site === 'server' && cnn.status === 'no data' && (await fetch(DATA_URL, { method: 'HEAD' }).then((r) => r.ok, () => false));
  if (!offered && cnn.status === 'no data') cnn.noData();
  const served = offered && (await cnn.loadServed(DATA_URL));
  api.ready = true;
  if (state.autorun.includes('toy')) await startToy();
  if (state.autorun.includes('cnn') && served) await cnn.run({ a: state.a, b: state.b, train: state.train, test: state.test, batch: state.batch, epochs: state.epochs });
}

void main();
