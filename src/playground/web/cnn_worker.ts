/**
 * The CNN's Web Worker: starts the page's backend here (wasm directly, webgl on an
 * OffscreenCanvas, webgpu natively), reads the CIFAR archive and trains the seed CNN, posting
 * progress to the page. Training here rather than on the page keeps every click answered while
 * an epoch runs (issue 24: the page stalled for up to 1.8 s at epoch ends on wasm).
 */
import '../../register.js';
import { parseCifarArchive } from '../../datasets/cifar_bytes.js';
import type { ImageDataset } from '../../datasets/types.js';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { startBackend, webglContext, type BackendStart } from './backend.js';
import type { PageToWorker, WorkerToPage } from './cnn_protocol.js';
import { trainPair } from './cnn_run.js';

const post = (m: WorkerToPage) => postMessage(m);

let started: Promise<BackendStart | undefined> = Promise.resolve(undefined);
let kernels = true;
let dataset: ImageDataset | undefined;
let controller: AbortController | undefined;
/** Whether the current run has told the page how it ended (a lost context ends it early). */
let ended = true;

function end(m: Extract<WorkerToPage, { type: 'end' }>): void {
  if (ended) return;
  ended = true;
  post(m);
}

/** Says what to do when the stock wasm backend meets a training kernel it does not have. */
function explain(message: string, backend: string | undefined): string {
  if (backend === 'wasm' && !kernels && /not registered|kernel/i.test(message)) {
    return `${message}. The stock wasm backend has no Conv2DBackpropFilter, so it cannot train a conv net: tick "lisht kernels" (this project's wasm training kernels) or pick another backend.`;
  }
  return message;
}

async function start(backend: string, threads: number, useKernels: boolean, cores: number): Promise<BackendStart | undefined> {
  kernels = useKernels;
  // TensorFlow.js sizes wasm's thread pool from navigator.hardwareConcurrency. A page can see
  // another count than its worker (DevTools' or a test's emulation): size the pool from the
  // count the page sees, so both describe the same machine.
  if (cores > 0 && cores !== navigator.hardwareConcurrency) Object.defineProperty(navigator, 'hardwareConcurrency', { value: cores, configurable: true });
  try {
    const s = await startBackend(backend, { threads, kernels });
    const gl = webglContext();
    // A lost context stops training; the page says so (the toy classifier runs on its own context).
    gl?.canvas.addEventListener('webglcontextlost', () => {
      controller?.abort();
      end({ type: 'end', outcome: 'failed', message: 'the WebGL context of the CNN worker was lost (a GPU reset, or another tab needed its memory)' });
    });
    post({ type: 'backend', start: s, threads: s.name === 'wasm' ? getThreadsCount() : undefined });
    return s;
  } catch (err) {
    post({ type: 'backend', error: (err as Error).message });
    return undefined;
  }
}

async function load(name: string, bytes: () => Promise<Uint8Array>): Promise<void> {
  post({ type: 'loading', name });
  try {
    const parsed = await parseCifarArchive(name, await bytes());
    dataset = parsed;
    post({ type: 'loaded', name, train: parsed.train.count, test: parsed.test.count });
  } catch (err) {
    post({ type: 'load-failed', name, message: (err as Error).message });
  }
}

async function train(message: Extract<PageToWorker, { type: 'train' }>): Promise<void> {
  const backend = await started;
  ended = false;
  if (!dataset) return end({ type: 'end', outcome: 'failed', message: 'no data set loaded' });
  controller = new AbortController();
  try {
    end({ type: 'end', outcome: await trainPair(dataset, message.settings, controller.signal, post) });
  } catch (err) {
    end({ type: 'end', outcome: 'failed', message: explain((err as Error).message, backend?.name) });
  }
}

addEventListener('message', (e: MessageEvent<PageToWorker>) => {
  const m = e.data;
  switch (m.type) {
    case 'start':
      started = start(m.backend, m.threads, m.kernels, m.cores);
      break;
    case 'load-served':
      void started.then(() =>
        load('cifar-10-binary.tar.gz (served)', async () => {
          const response = await fetch(m.url);
          if (!response.ok) throw new Error(`the server answered ${response.status} for ${m.url}`);
          return new Uint8Array(await response.arrayBuffer());
        }),
      );
      break;
    case 'load-file':
      void started.then(() => load(m.file.name, async () => new Uint8Array(await m.file.arrayBuffer())));
      break;
    case 'train':
      void train(m);
      break;
    case 'stop':
      controller?.abort();
      break;
  }
});
