/**
 * The article's experiment, live: the page's side. The seed CNN trains in a Web Worker
 * (cnn_worker.ts), A then B from the same initial weights; this class starts the worker,
 * hands it the archive and the run's settings, and draws what it reports: the progress bar's
 * lines, accuracy curves, the model summary and per-layer dead-unit counts.
 *
 * A run's settings are copied when it starts and the controls that feed them are disabled
 * until it ends, so what is drawn and compared is what was trained (issue 24).
 */
import { getActivation } from '../../activations/zoo.js';
import type { BackendStart } from './backend.js';
import type { DeadCount, PageToWorker, RunSettings, WorkerToPage } from './cnn_protocol.js';
import { COLOR_A, COLOR_B } from './explorer.js';
import { drawChart, type Series } from './plot.js';
import { RunTerminal } from './terminal.js';

/** What one activation's run reached. */
export interface CnnResult {
  activation: string;
  steps: number;
  trainAccuracy: number;
  valAccuracy: number;
  /** Per activation layer: units that output exactly 0 on the whole probe batch. */
  dead: DeadCount[];
}

interface Curve {
  x: number[];
  train: number[];
  valX: number[];
  val: number[];
}

export type CnnStatus = 'starting' | 'no data' | 'loading' | 'ready' | 'training' | 'stopping' | 'done' | 'error';

/** Controls a run reads its settings from: frozen while it runs. */
const RUN_CONTROLS = ['#cnn-train', '#cnn-test', '#cnn-batch', '#cnn-epochs', '#cnn-run', '#cnn-file', '#backend', '#threads', '#kernels'];

const label = (name: string) => getActivation(name).label;

export class CifarExperiment {
  results: CnnResult[] = [];
  status: CnnStatus = 'starting';
  /** The backend the worker trains on, once it started. */
  backend?: BackendStart;
  /** Threads of the worker's wasm backend, where it runs wasm. */
  threads?: number;
  /** The settings of the run going on, or of the last one. */
  settings?: RunSettings;
  private hasData = false;
  private curves: Curve[] = [];
  private readonly worker: Worker;
  private readonly terminal: RunTerminal;
  private readonly backendReady: Promise<void>;
  private resolveBackend!: () => void;
  private runEnded?: () => void;
  /** Resolves the load under way with whether it succeeded. */
  private loaded?: (ok: boolean) => void;

  constructor(
    private readonly root: HTMLElement,
    private readonly onError: (message: string) => void,
  ) {
    this.terminal = new RunTerminal(root.querySelector<HTMLElement>('#cnn-progress')!);
    this.backendReady = new Promise((r) => (this.resolveBackend = r));
    this.worker = new Worker(new URL('./cnn-worker.js', import.meta.url), { type: 'module', name: 'lisht CNN' });
    this.worker.addEventListener('message', (e: MessageEvent<WorkerToPage>) => this.receive(e.data));
    this.worker.addEventListener('error', (e) => {
      e.preventDefault();
      this.fail(`the CNN worker failed: ${e.message || 'it could not be loaded'}`);
      this.resolveBackend();
    });
  }

  private send(m: PageToWorker): void {
    this.worker.postMessage(m);
  }

  private message(text: string, kind: 'info' | 'error' = 'info'): void {
    const el = this.root.querySelector<HTMLElement>('#cnn-message')!;
    el.textContent = text;
    el.className = kind === 'error' ? 'message error' : 'message';
  }

  /** Starts the worker's backend (the page's choice); resolves once it answered. */
  start(backend: string, threads: number, kernels: boolean): Promise<void> {
    this.send({ type: 'start', backend, threads, kernels, cores: navigator.hardwareConcurrency });
    return this.backendReady;
  }

  /** Has the worker load the archive the server offers at `url`. */
  loadServed(url: string): Promise<boolean> {
    return this.loadWith({ type: 'load-served', url });
  }

  /** Has the worker load a file the user dropped or chose. */
  loadFile(file: File): Promise<boolean> {
    if (this.busy) {
      this.message(`${file.name} not loaded: a run is going on; load it once the run ends (or stop it).`, 'error');
      return Promise.resolve(false);
    }
    return this.loadWith({ type: 'load-file', file });
  }

  private loadWith(m: PageToWorker): Promise<boolean> {
    this.status = 'loading';
    this.send(m);
    return new Promise((r) => (this.loaded = r));
  }

  /** Says no archive is served (a static build, or a server without --data). */
  noData(): void {
    this.status = 'no data';
    this.message('No data set served. Drop a CIFAR-10 binary archive (cifar-10-binary.tar.gz) on this box or choose it with the button, or start the page with lisht playground --data PATH.');
  }

  get busy(): boolean {
    return this.status === 'training' || this.status === 'stopping';
  }

  /** Stops the run after its current step; the page says so at once. */
  stop(): void {
    if (this.status !== 'training') return;
    this.status = 'stopping';
    this.root.querySelector<HTMLButtonElement>('#cnn-stop')!.disabled = true;
    this.message('Stopping after the current step…');
    this.send({ type: 'stop' });
  }

  /** Trains the seed CNN with settings.a, then settings.b; resolves when the run ends. */
  run(settings: RunSettings): Promise<void> {
    if (!this.hasData) {
      this.message('Load a CIFAR-10 archive first (drop it on this box, or choose it with the button).', 'error');
      return Promise.resolve();
    }
    if (this.busy) return Promise.resolve();
    this.settings = { ...settings };
    this.status = 'training';
    this.results = [];
    this.curves = [];
    this.terminal.clear();
    this.drawCurves();
    this.drawDead();
    this.freeze(true);
    this.message(`Training ${label(settings.a)} (1 of 2)…`);
    this.send({ type: 'train', settings: this.settings });
    return new Promise((r) => (this.runEnded = r));
  }

  private freeze(on: boolean): void {
    for (const selector of RUN_CONTROLS) document.querySelector<HTMLInputElement>(selector)!.disabled = on;
    this.root.querySelector<HTMLButtonElement>('#cnn-stop')!.disabled = !on;
    const note = this.root.querySelector<HTMLElement>('#cnn-frozen')!;
    const s = this.settings!;
    note.hidden = !on;
    note.textContent = on
      ? `This run compares ${label(s.a)} with ${label(s.b)}: ${s.train.toLocaleString('en')} training and ${s.test.toLocaleString('en')} test images, batch ${s.batch}, ${s.epochs} epoch${s.epochs > 1 ? 's' : ''}, as set when it started. Its settings are locked until it ends; activations picked meanwhile apply to the next run.`
      : '';
  }

  private fail(text: string): void {
    this.status = 'error';
    this.onError(text);
    this.message(text, 'error');
  }

  private receive(m: WorkerToPage): void {
    switch (m.type) {
      case 'backend':
        this.backend = m.start;
        this.threads = m.threads;
        if (m.error) this.fail(`the CNN worker started no backend: ${m.error}`);
        else this.status = 'no data';
        this.resolveBackend();
        break;
      case 'loading':
        this.message(`Reading ${m.name}…`);
        break;
      case 'loaded':
        this.hasData = true;
        this.status = 'ready';
        this.message(`${m.name}: ${m.train.toLocaleString('en')} training and ${m.test.toLocaleString('en')} test images, checked. Ready to train.`);
        this.loaded?.(true);
        break;
      case 'load-failed':
        this.status = this.hasData ? 'ready' : 'error';
        this.message(`${m.message}${this.hasData ? ' (keeping the data set loaded before)' : ''}`, 'error');
        this.loaded?.(false);
        break;
      case 'summary':
        this.root.querySelector('#cnn-summary')!.textContent = m.text;
        break;
      case 'begin':
        this.results[m.index] = { activation: m.activation, steps: 0, trainAccuracy: NaN, valAccuracy: NaN, dead: [] };
        this.curves[m.index] = { x: [], train: [], valX: [], val: [] };
        this.terminal.begin(m.index, `${m.index === 0 ? 'A' : 'B'}: ${label(m.activation)}`);
        break;
      case 'progress':
        this.terminal.write(m.index, m.text);
        break;
      case 'batch': {
        const r = this.results[m.index];
        r.steps++;
        r.trainAccuracy = m.accuracy;
        this.curves[m.index].x.push(m.x);
        this.curves[m.index].train.push(m.accuracy);
        if (this.status === 'training') {
          const s = this.settings!;
          this.message(`Training ${label(r.activation)} (${m.index + 1} of 2): epoch ${Math.min(s.epochs, Math.floor(m.x - 1e-9) + 1)}/${s.epochs}, step ${r.steps}…`);
        }
        this.drawCurves();
        break;
      }
      case 'epoch': {
        const r = this.results[m.index];
        r.valAccuracy = m.valAccuracy;
        r.dead = m.dead;
        this.curves[m.index].valX.push(m.epoch + 1);
        this.curves[m.index].val.push(m.valAccuracy);
        this.drawCurves();
        this.drawDead();
        break;
      }
      case 'end':
        this.ended(m);
        break;
    }
  }

  private ended(m: Extract<WorkerToPage, { type: 'end' }>): void {
    const s = this.settings;
    this.freeze(false);
    if (m.outcome === 'done' && s) {
      this.status = 'done';
      this.message(`Done: ${this.results.map((r) => `${label(r.activation)} ${(100 * r.valAccuracy).toFixed(1)}% test accuracy`).join(', ')} (${s.train} training images, ${s.epochs} epoch${s.epochs > 1 ? 's' : ''}).`);
    } else if (m.outcome === 'stopped') {
      this.status = 'ready';
      const r = this.results[this.results.length - 1];
      this.message(`Stopped${r ? ` after ${r.steps} step${r.steps === 1 ? '' : 's'} of ${label(r.activation)}` : ''}. Ready to train again.`);
    } else {
      this.fail(`Training the seed CNN failed: ${m.message ?? 'no reason given'}`);
    }
    this.runEnded?.();
  }

  private drawCurves(): void {
    const s = this.settings;
    if (!s) return;
    const colors = [COLOR_A, COLOR_B];
    const series: Series[] = [];
    this.curves.forEach((c, i) => {
      const name = label(i === 0 ? s.a : s.b);
      series.push({ label: `${name} train`, color: colors[i], xs: c.x, ys: c.train });
      series.push({ label: `${name} test`, color: colors[i], xs: c.valX, ys: c.val, dash: [5, 4], dots: true });
    });
    // Short runs stay far below 1: scale to what was reached, in steps of 0.1.
    const best = Math.max(0, ...this.curves.flatMap((c) => [...c.train, ...c.val].filter(Number.isFinite)));
    const top = Math.min(1, Math.max(0.5, Math.ceil((best + 0.05) * 10) / 10));
    drawChart(this.root.querySelector<HTMLCanvasElement>('#cnn-accuracy')!, series, { title: 'accuracy', xLabel: 'epoch', xRange: [0, s.epochs], yRange: [0, top] });
  }

  private drawDead(): void {
    const table = this.root.querySelector<HTMLTableElement>('#cnn-dead')!;
    table.replaceChildren();
    if (this.results.length === 0) return;
    table.createCaption().textContent = 'Dead units: output exactly 0 for 100 test images';
    const head = table.createTHead().insertRow();
    for (const text of ['layer', ...this.results.map((r) => label(r.activation))]) {
      const th = document.createElement('th');
      th.textContent = text;
      head.append(th);
    }
    const body = table.createTBody();
    const first = this.results[0]?.dead ?? [];
    first.forEach((row, k) => {
      const tr = body.insertRow();
      tr.insertCell().textContent = `${k + 1}: ${row.units} units`;
      for (const r of this.results) {
        const d = r.dead[k];
        tr.insertCell().textContent = d ? `${d.dead} / ${d.units}` : '…';
      }
    });
  }
}
