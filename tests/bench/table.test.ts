import { describe, expect, it } from 'vitest';
import { formatCell, formatTable } from '../../bench/table';

describe('benchmark table', () => {
  it('formats numbers to readable precision and missing values as a dash', () => {
    expect(formatCell(null)).toBe('-');
    expect(formatCell(undefined)).toBe('-');
    expect(formatCell(12)).toBe('12');
    expect(formatCell(1234.5678)).toBe('1234.6');
    expect(formatCell(2.34567)).toBe('2.35');
    expect(formatCell(0.012345)).toBe('0.012');
    expect(formatCell(Number.POSITIVE_INFINITY)).toBe('Infinity');
    expect(formatCell('WebGPU')).toBe('WebGPU');
  });

  it('aligns text left and numbers right under a header rule', () => {
    const table = formatTable({
      columns: ['runner', 'tiles/s', 'ratio'],
      rows: [
        { runner: 'PathoLens', 'tiles/s': 812.25, ratio: 2.5 },
        { runner: 'geotiff.js', 'tiles/s': 324.9, ratio: null },
      ],
    });
    expect(table.split('\n')).toEqual([
      'runner     | tiles/s | ratio',
      '-----------|---------|------',
      'PathoLens  |   812.3 |  2.50',
      'geotiff.js |   324.9 |     -',
    ]);
  });
});
