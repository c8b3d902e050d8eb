import { parseCsvRows } from './csv.js';
import { dataError } from './errors.js';
import { readWholeFile } from './source.js';
import { labelCounts } from './split.js';
import { resolveCsvFile, splitTable, type TabularTable } from './tabular.js';
import type { SplitOptions, TabularDataset } from './types.js';

/** The attributes and their values, in the order of UCI's car.names (low to high where ordered). */
export const CAR_ATTRIBUTES: readonly { name: string; values: readonly string[] }[] = [
  { name: 'buying', values: ['vhigh', 'high', 'med', 'low'] },
  { name: 'maint', values: ['vhigh', 'high', 'med', 'low'] },
  { name: 'doors', values: ['2', '3', '4', '5more'] },
  { name: 'persons', values: ['2', '4', 'more'] },
  { name: 'lug_boot', values: ['small', 'med', 'big'] },
  { name: 'safety', values: ['low', 'med', 'high'] },
];
export const CAR_CLASS_NAMES = ['unacc', 'acc', 'good', 'vgood'];
/** One-hot column names: `buying=vhigh`, ... (21 columns). */
export const CAR_FEATURE_NAMES = CAR_ATTRIBUTES.flatMap((a) => a.values.map((v) => `${a.name}=${v}`));
/** Published class counts of the 1,728 rows. */
const PUBLISHED_COUNTS = [1210, 384, 69, 65];

/**
 * Parses UCI's `car.data` (no header) or a copy with a header line, one-hot encoding the six
 * categorical attributes.
 */
export function parseCarEvaluation(file: string, text: string | Uint8Array): TabularTable {
  const rows = parseCsvRows(file, text);
  // A header is recognised by its first field not being a value of `buying`.
  const body = rows.length > 0 && !CAR_ATTRIBUTES[0].values.includes(rows[0].fields[0]) ? rows.slice(1) : rows;
  if (body.length === 0) throw dataError(file, 'no rows');
  const width = CAR_FEATURE_NAMES.length;
  const features = new Float32Array(body.length * width);
  const labels = new Uint8Array(body.length);
  body.forEach((row, i) => {
    if (row.fields.length !== 7) throw dataError(file, `line ${row.line}: ${row.fields.length} fields, expected 7`);
    let column = 0;
    CAR_ATTRIBUTES.forEach((attribute, a) => {
      const value = row.fields[a];
      const k = attribute.values.indexOf(value);
      if (k < 0) {
        throw dataError(file, `line ${row.line}: ${attribute.name} is ${JSON.stringify(value)}, expected one of ${attribute.values.join(', ')}`);
      }
      features[i * width + column + k] = 1;
      column += attribute.values.length;
    });
    const label = CAR_CLASS_NAMES.indexOf(row.fields[6]);
    if (label < 0) {
      throw dataError(file, `line ${row.line}: class ${JSON.stringify(row.fields[6])} is out of range (expected ${CAR_CLASS_NAMES.join(', ')})`);
    }
    labels[i] = label;
  });
  return { featureNames: CAR_FEATURE_NAMES, classNames: CAR_CLASS_NAMES, features, labels, count: body.length };
}

/** Checks a downloaded `car.data` against the published table: 1,728 rows, known class counts. */
export async function verifyCarDownload(path: string): Promise<void> {
  const table = parseCarEvaluation(path, await readWholeFile(path));
  const counts = labelCounts(table.labels, CAR_CLASS_NAMES.length);
  if (counts.join() !== PUBLISHED_COUNTS.join()) {
    throw dataError(path, `expected 1728 rows with classes ${PUBLISHED_COUNTS.join('/')}; found ${table.count} (${counts.join('/')})`);
  }
}

/** Loads Car Evaluation from a CSV file (or a folder holding `car.data`) and splits it. */
export async function loadCarEvaluation(path: string, split: SplitOptions = {}): Promise<TabularDataset> {
  const file = await resolveCsvFile(path, ['car.data', 'car-evaluation.csv', 'car.csv']);
  const table = parseCarEvaluation(file, await readWholeFile(file));
  return splitTable('car-evaluation', table, {
    path: file,
    verification: 'structure',
    notes: ['UCI publishes no checksum: every row was parsed and checked'],
  }, split);
}
