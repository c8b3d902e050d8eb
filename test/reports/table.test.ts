import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  fixed,
  formatCsv,
  formatMarkdownTable,
  formatNumber,
  formatTable,
  percent,
  type Column,
  type Row,
} from '../../src/reports/index.js';

const columns: Column[] = [{ header: 'activation' }, { header: 'test acc', format: percent(2) }, { header: 'params' }, { header: 'note' }];
const rows: Row[] = [
  ['lisht', 0.71234, 122570, 'best'],
  ['leaky_relu', 0.7, 9, null],
];

test('formatTable: aligned columns, numbers right, text left, no trailing spaces', () => {
  assert.equal(
    formatTable(columns, rows),
    [
      'activation  test acc  params  note',
      '----------  --------  ------  ----',
      'lisht         71.23%  122570  best',
      'leaky_relu    70.00%       9',
    ].join('\n'),
  );
});

test('formatTable: explicit alignment, wide characters counted once, line breaks flattened', () => {
  const out = formatTable([{ header: 'x', align: 'right' }, { header: 'y' }], [['a', 'line1\nline2'], ['±1', 'é']]);
  assert.equal(out, [' x  y', '--  -----------', ' a  line1 line2', '±1  é'].join('\n'));
});

test('formatMarkdownTable: GFM alignment row and escaped pipes', () => {
  assert.equal(
    formatMarkdownTable([{ header: 'name' }, { header: 'acc', format: fixed(3) }], [['a|b', 0.5], ['c', 0.25]]),
    ['| name |   acc |', '| ---- | ----: |', '| a\\|b | 0.500 |', '| c    | 0.250 |'].join('\n'),
  );
});

test('formatCsv: RFC 4180 quoting of commas, quotes, line breaks and edge spaces; raw numbers', () => {
  const csv = formatCsv(
    [{ header: 'name' }, { header: 'value, raw', format: percent(0) }],
    [
      ['plain', 0.123456789],
      ['with, comma', 1],
      ['with "quotes"', -2],
      ['two\nlines', null],
      [' padded', true],
    ],
  );
  assert.equal(
    csv,
    'name,"value, raw"\nplain,0.123456789\n"with, comma",1\n"with ""quotes""",-2\n"two\nlines",\n" padded",true\n',
  );
});

test('all formats reject rows whose length does not match the columns', () => {
  for (const format of [formatTable, formatMarkdownTable, formatCsv]) {
    assert.throws(() => format([{ header: 'a' }, { header: 'b' }], [['only one']]), /row 0 has 1 cells for 2 columns/);
  }
});

test('formatNumber: readable decimals, exponents for tiny values, no silent zeros', () => {
  assert.equal(formatNumber(42), '42');
  assert.equal(formatNumber(0.712345), '0.7123');
  assert.equal(formatNumber(3e-7), '3.000e-7');
  assert.equal(formatNumber(NaN), 'NaN');
  assert.equal(formatNumber(-Infinity), '-inf');
  assert.equal(percent(1)(0.7123), '71.2%');
  assert.equal(percent(1)(null), '');
  assert.equal(fixed(2)('n/a'), 'n/a');
});
