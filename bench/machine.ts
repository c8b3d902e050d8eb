/**
 * The line every benchmark table carries: which CPU and which oneDNN code path produced its
 * figures. These machines change from session to session (AMD EPYC without AMX, Intel Xeon
 * with AMX), so a figure without it cannot be compared with another.
 */
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { loadNativeAddon, nativeAddonUnavailableReason } from '../src/backends/native/index.js';

/** `CPU: <model>, N cores; oneDNN <version> (<ISA>)`, or the reason there is no oneDNN. */
export function machineLine(): string {
  const info = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '';
  const model = /^model name\s*:\s*(.*)$/m.exec(info)?.[1]?.trim() ?? 'unknown CPU';
  const flags = /^flags\s*:(.*)$/m.exec(info)?.[1] ?? '';
  const features = ['avx512f', 'avx512_bf16', 'amx_bf16'].filter((f) => new RegExp(`\\b${f}\\b`).test(flags));
  const reason = nativeAddonUnavailableReason();
  const dnnl = reason === undefined ? (({ dnnl, isa }) => `oneDNN ${dnnl} (${isa})`)(loadNativeAddon().info()) : `no oneDNN (${reason})`;
  return `CPU: ${model}, ${availableParallelism()} cores${features.length > 0 ? `, ${features.join(' ')}` : ''}; ${dnnl}`;
}
