/** The machine's fp32 peak, as both benchmarks report their share of it. */
import { existsSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { loadNativeAddon, nativeAddonUnavailableReason } from '../src/backends/native/index.js';

export interface Peak {
  flops: number;
  how: string;
}

/**
 * The machine's fp32 peak: measured by the native addon (multiply-adds on registers, all
 * threads at once, best of five) where it is built, else nominal from /proc/cpuinfo (cores x
 * clock x FLOPs per cycle of the widest FMA units), which needs a clock the CPU reports or
 * `LISHT_CPU_GHZ`.
 */
export function peakFlops(): Peak | undefined {
  if (nativeAddonUnavailableReason() === undefined) {
    const addon = loadNativeAddon();
    const runs = Array.from({ length: 5 }, () => addon.measurePeakGflops(1e7));
    const best = Math.max(...runs.map((r) => r.gflops));
    return { flops: best * 1e9, how: `measured: fp32 multiply-adds on ${runs[0]!.threads} threads` };
  }
  if (!existsSync('/proc/cpuinfo')) return undefined;
  const info = readFileSync('/proc/cpuinfo', 'utf8');
  const flags = /^flags\s*:(.*)$/m.exec(info)?.[1] ?? '';
  const perCycle = /\bavx512f\b/.test(flags) ? 64 : /\bfma\b/.test(flags) && /\bavx2\b/.test(flags) ? 32 : 8;
  // Virtual machines often report no clock; LISHT_CPU_GHZ supplies it.
  const mhz = Number(process.env.LISHT_CPU_GHZ ?? 0) * 1000 || Math.max(...cpus().map((c) => c.speed));
  if (!(mhz > 0)) return undefined;
  const cores = cpus().length;
  return { flops: cores * mhz * 1e6 * perCycle, how: `nominal: ${cores} cores x ${(mhz / 1000).toFixed(2)} GHz x ${perCycle} FLOP/cycle` };
}
