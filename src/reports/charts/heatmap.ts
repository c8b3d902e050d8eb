/** Heatmaps with the value written in each cell; built for confusion matrices. */
import { assertUnique, baseSpec, type ChartOptions, type ChartSpec } from './common.js';

/** A matrix with labelled rows and columns; `values[row][column]`. */
export interface HeatmapData {
  values: readonly (readonly number[])[];
  rowLabels: readonly string[];
  /** Defaults to `rowLabels`, as in a confusion matrix. */
  columnLabels?: readonly string[];
}

export interface HeatmapOptions extends Omit<ChartOptions, 'width' | 'height' | 'yDomain'> {
  /** Side of one cell in pixels (default 36). */
  cellSize?: number;
  /** Write the value in each cell (default true). */
  showValues?: boolean;
  /** Legend title (default "count"). */
  legendTitle?: string;
}

/**
 * A heatmap, by default laid out as a confusion matrix: rows are the true class, columns the
 * predicted one, colour and number the count. Cell text switches to white on dark cells.
 *
 * @example heatmap({ values: confusion, rowLabels: CIFAR10_CLASSES },
 *   { title: 'Confusion matrix (lisht)' })
 */
export function heatmap(data: HeatmapData, options: HeatmapOptions = {}): ChartSpec {
  const rowLabels = data.rowLabels;
  const columnLabels = data.columnLabels ?? rowLabels;
  assertUnique(rowLabels, 'row');
  assertUnique(columnLabels, 'column');
  if (data.values.length !== rowLabels.length) {
    throw new RangeError(`${data.values.length} matrix rows for ${rowLabels.length} row labels`);
  }
  const rows: { row: string; column: string; value: number | null }[] = [];
  data.values.forEach((line, r) => {
    if (line.length !== columnLabels.length) {
      throw new RangeError(`matrix row ${r} has ${line.length} values for ${columnLabels.length} column labels`);
    }
    line.forEach((v, c) => rows.push({ row: rowLabels[r]!, column: columnLabels[c]!, value: Number.isFinite(v) ? v : null }));
  });
  const finite = rows.flatMap((r) => (r.value === null ? [] : [r.value]));
  const max = Math.max(0, ...finite);
  const min = Math.min(0, ...finite);
  const integers = finite.every((v) => Number.isInteger(v));
  const cell = options.cellSize ?? 36;
  const longest = Math.max(0, ...columnLabels.map((l) => l.length));
  const rect = {
    mark: { type: 'rect' as const },
    encoding: {
      color: {
        field: 'value',
        type: 'quantitative' as const,
        title: options.legendTitle ?? 'count',
        scale: { scheme: 'blues' as const, domain: [min, max === min ? min + 1 : max] },
      },
    },
  };
  const text = {
    transform: [{ filter: 'isValid(datum.value)' }],
    mark: { type: 'text' as const, fontSize: Math.max(8, Math.min(12, Math.round(cell / 3.2))) },
    encoding: {
      text: { field: 'value', type: 'quantitative' as const, format: integers ? 'd' : '.2f' },
      // Mid-scale is where the 'blues' scheme gets too dark for dark text.
      color: { condition: { test: `datum.value > ${(min + max) / 2}`, value: 'white' }, value: '#222222' },
    },
  };
  const { width: _w, height: _h, ...base } = baseSpec(options, { width: 0, height: 0 });
  return {
    ...base,
    width: { step: cell },
    height: { step: cell },
    data: { values: rows },
    encoding: {
      x: {
        field: 'column',
        type: 'ordinal',
        sort: [...columnLabels],
        title: options.xTitle ?? 'Predicted',
        axis: { labelAngle: longest > 3 ? -45 : 0, orient: 'bottom' },
      },
      y: { field: 'row', type: 'ordinal', sort: [...rowLabels], title: options.yTitle ?? 'True' },
    },
    layer: options.showValues ?? true ? [rect, text] : [rect],
  };
}
