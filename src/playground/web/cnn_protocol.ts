/**
 * What the page and the CNN's Web Worker (cnn_worker.ts) say to each other. Types only, so
 * both sides agree at compile time and neither bundles the other's code.
 */
import type { BackendStart } from './backend.js';

/** A run's settings, copied when it starts: the page may change its controls, not the run. */
export interface RunSettings {
  a: string;
  b: string;
  train: number;
  test: number;
  batch: number;
  epochs: number;
}

/** One activation layer's units that output exactly 0 for the whole probe batch. */
export interface DeadCount {
  layer: string;
  dead: number;
  units: number;
}

export type PageToWorker =
  /** `cores`: the page's navigator.hardwareConcurrency, which sizes the wasm thread pool. */
  | { type: 'start'; backend: string; threads: number; kernels: boolean; cores: number }
  | { type: 'load-served'; url: string }
  | { type: 'load-file'; file: File }
  | { type: 'train'; settings: RunSettings }
  | { type: 'stop' };

export type WorkerToPage =
  | { type: 'backend'; start?: BackendStart; threads?: number; error?: string }
  | { type: 'loading'; name: string }
  | { type: 'loaded'; name: string; train: number; test: number }
  | { type: 'load-failed'; name: string; message: string }
  | { type: 'summary'; text: string }
  /** Activation `index` (0: A, 1: B) starts training. */
  | { type: 'begin'; index: number; activation: string }
  /** Text the progress bar wrote for activation `index` (`\r` rewrites the last line). */
  | { type: 'progress'; index: number; text: string }
  /** A training step ended; `x` is the position in epochs (1.5: half-way through epoch 2). */
  | { type: 'batch'; index: number; x: number; accuracy: number; loss: number }
  | { type: 'epoch'; index: number; epoch: number; valAccuracy: number; valLoss: number; dead: DeadCount[] }
  | { type: 'end'; outcome: 'done' | 'stopped' | 'failed'; message?: string };
