/**
 * Stable series colours. A series keeps its colour in every chart of a run (LiSHT is the same
 * red in the accuracy plot, the comparison plot and the bar chart), so colours are keyed by
 * name, never by position in the legend.
 */

/**
 * Fixed colours for names this project plots often. Keys are normalised (see `colorKey`).
 * `train`/`test` use matplotlib's first two colours because the original article's Keras plots
 * did, which makes ours easy to compare side by side.
 */
const FIXED: Readonly<Record<string, string>> = {
  lisht: '#e15759',
  relu: '#4e79a7',
  tanh: '#59a14f',
  swish: '#f28e2b',
  silu: '#f28e2b',
  mish: '#b07aa1',
  gelu: '#76b7b2',
  elu: '#9c755f',
  selu: '#d4a017',
  leakyrelu: '#ff9da7',
  sigmoid: '#7f7f7f',
  softplus: '#17becf',
  linear: '#bab0ac',
  identity: '#bab0ac',
  train: '#1f77b4',
  test: '#ff7f0e',
  validation: '#ff7f0e',
};

/** Colours for names not in `FIXED`, chosen to stay distinguishable from the fixed ones. */
const EXTRA: readonly string[] = [
  '#393b79',
  '#8c6d31',
  '#637939',
  '#843c39',
  '#7b4173',
  '#bcbd22',
  '#e377c2',
  '#2ca02c',
  '#9467bd',
  '#8c564b',
  '#d62728',
  '#3182bd',
];

/** Lower-case and drop everything but letters and digits, so `LeakyReLU` and `leaky_relu` match. */
export function colorKey(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** FNV-1a: tiny, deterministic across processes and platforms (unlike anything seeded). */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The colour `name` gets when nothing else in the chart competes for it. */
export function seriesColor(name: string): string {
  const key = colorKey(name);
  return FIXED[key] ?? EXTRA[hash(key) % EXTRA.length]!;
}

/**
 * Colours for the series of one chart, in the order given. Names with a fixed colour always get
 * it; other names get their hashed colour unless an earlier series in this chart already uses it,
 * in which case the next free one is taken (names are visited in sorted order, so the outcome
 * does not depend on the order the caller listed them in). Same name, same colour, unless two
 * unknown names collide in one chart.
 */
export function seriesColors(names: readonly string[]): string[] {
  const byName = new Map<string, string>();
  const used = new Set<string>();
  for (const name of names) {
    const fixed = FIXED[colorKey(name)];
    if (fixed !== undefined) {
      byName.set(name, fixed);
      used.add(fixed);
    }
  }
  const unknown = [...new Set(names.filter((n) => !byName.has(n)))].sort();
  for (const name of unknown) {
    const start = hash(colorKey(name)) % EXTRA.length;
    let color = EXTRA[start]!;
    for (let i = 0; i < EXTRA.length; i++) {
      const candidate = EXTRA[(start + i) % EXTRA.length]!;
      if (!used.has(candidate)) {
        color = candidate;
        break;
      }
    }
    byName.set(name, color);
    used.add(color);
  }
  return names.map((n) => byName.get(n)!);
}
