import { parseCsvRows, type CsvRow } from './csv.js';
import { dataError } from './errors.js';
import { readWholeFile } from './source.js';
import { labelCounts } from './split.js';
import { resolveCsvFile, splitTable, type TabularTable } from './tabular.js';
import type { SplitOptions, TabularDataset } from './types.js';

export const IRIS_CLASS_NAMES = ['setosa', 'versicolor', 'virginica'];
export const IRIS_FEATURE_NAMES = ['sepal_length_cm', 'sepal_width_cm', 'petal_length_cm', 'petal_width_cm'];
const UCI_CLASS = new Map(IRIS_CLASS_NAMES.map((name, i) => [`Iris-${name}`, i]));

function parseMeasurement(file: string, row: CsvRow, column: number): number {
  const text = row.fields[column];
  const value = Number(text);
  if (text === '' || !Number.isFinite(value)) {
    throw dataError(file, `line ${row.line}: ${IRIS_FEATURE_NAMES[column]} is ${JSON.stringify(text)}, not a number`);
  }
  return value;
}

/**
 * Parses Iris in UCI's `iris.data` form (`5.1,3.5,1.4,0.2,Iris-setosa`) or scikit-learn's
 * `iris.csv` form (a `150,4,setosa,versicolor,virginica` header, then class indices). The four
 * measurements are kept as they are (cm), not standardised.
 */
export function parseIris(file: string, text: string | Uint8Array): TabularTable {
  const rows = parseCsvRows(file, text);
  if (rows.length === 0) throw dataError(file, 'no rows');
  const header = rows[0].fields;
  const sklearn = header.length === 5 && /^\d+$/.test(header[0]) && header[1] === '4';
  const body = sklearn ? rows.slice(1) : rows;
  if (sklearn) {
    if (header.slice(2).join() !== IRIS_CLASS_NAMES.join()) {
      throw dataError(file, `line 1: class names ${header.slice(2).join(', ')}, expected ${IRIS_CLASS_NAMES.join(', ')}`);
    }
    if (Number(header[0]) !== body.length) {
      throw dataError(file, `header announces ${header[0]} rows but the file holds ${body.length}`);
    }
  }
  const features = new Float32Array(body.length * 4);
  const labels = new Uint8Array(body.length);
  body.forEach((row, i) => {
    if (row.fields.length !== 5) throw dataError(file, `line ${row.line}: ${row.fields.length} fields, expected 5`);
    for (let c = 0; c < 4; c++) features[i * 4 + c] = parseMeasurement(file, row, c);
    const cls = row.fields[4];
    const label = sklearn ? (/^\d+$/.test(cls) ? Number(cls) : NaN) : (UCI_CLASS.get(cls) ?? NaN);
    if (!(label >= 0 && label < 3)) {
      const expected = sklearn ? '0, 1 or 2' : [...UCI_CLASS.keys()].join(', ');
      throw dataError(file, `line ${row.line}: class ${JSON.stringify(cls)} is out of range (expected ${expected})`);
    }
    labels[i] = label;
  });
  return { featureNames: IRIS_FEATURE_NAMES, classNames: IRIS_CLASS_NAMES, features, labels, count: body.length };
}

/** Checks a downloaded `iris.data` against the published table: 150 rows, 50 per class. */
export async function verifyIrisDownload(path: string): Promise<void> {
  const table = parseIris(path, await readWholeFile(path));
  const counts = labelCounts(table.labels, 3);
  if (table.count !== 150 || counts.some((n) => n !== 50)) {
    throw dataError(path, `expected 150 rows, 50 per class; found ${table.count} (${counts.join('/')})`);
  }
}

/** Loads Iris from a CSV file (or a folder holding `iris.data`) and splits it. */
export async function loadIris(path: string, split: SplitOptions = {}): Promise<TabularDataset> {
  const file = await resolveCsvFile(path, ['iris.data', 'iris.csv']);
  const table = parseIris(file, await readWholeFile(file));
  return splitTable('iris', table, {
    path: file,
    verification: 'structure',
    notes: ['UCI publishes no checksum: every row was parsed and checked'],
  }, split);
}
