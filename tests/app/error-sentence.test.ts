import { describe, expect, it } from 'vitest';
import { errorDetail, errorSentence } from '../../src/ui/error-sentence';

describe('errorSentence', () => {
  it.each([
    [new Error('tile 3 is truncated'), 'tile 3 is truncated'],
    [new TypeError(''), 'TypeError'],
    ['  disk full  ', 'disk full'],
    [{ message: 'quota exceeded' }, 'quota exceeded'],
    [42, 'unknown error'],
    [null, 'unknown error'],
    [{}, 'unknown error'],
  ])('reads a detail out of %o', (error, detail) => {
    expect(errorDetail(error)).toBe(detail);
  });

  it('says what failed, why, and what to do, ending each sentence once', () => {
    expect(errorSentence('Could not open slide.svs', new Error('not a TIFF file.'), 'Choose an SVS or TIFF file')).toBe(
      'Could not open slide.svs: not a TIFF file. Choose an SVS or TIFF file.',
    );
    expect(errorSentence('Model load failed', 'checksum mismatch', 'Export the model again!')).toBe(
      'Model load failed: checksum mismatch. Export the model again!',
    );
  });
});
