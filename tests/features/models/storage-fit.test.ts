import { describe, expect, it } from 'vitest';
import { STORAGE_HEADROOM_FRACTION, storageFit, storageFitSentence } from '../../../src/features/models/storage-fit';
import { formatBytes } from '../../../src/ui/format-bytes';

const MB = 1024 * 1024;
const GB = 1024 * MB;

describe('storageFit', () => {
  it('counts only the files the verified cache does not hold yet', () => {
    const fit = storageFit(
      [
        { size: 300 * MB, cached: true },
        { size: 200 * MB, cached: false },
        { size: 1 * MB, cached: false },
      ],
      { usage: 0, quota: 10 * GB },
    );
    expect(fit).toEqual({ status: 'fits', neededBytes: 201 * MB, freeBytes: 10 * GB, quota: 10 * GB });
  });

  it('says a model that is stored already needs nothing, whatever the quota', () => {
    expect(storageFit([{ size: 5 * GB, cached: true }], { usage: 9 * GB, quota: 1 * GB })).toEqual({ status: 'cached', neededBytes: 0 });
  });

  it('refuses a model larger than the quota left', () => {
    const fit = storageFit([{ size: 2.5 * GB, cached: false }], { usage: 3 * GB, quota: 4 * GB });
    expect(fit).toEqual({ status: 'does-not-fit', neededBytes: 2.5 * GB, freeBytes: 1 * GB, quota: 4 * GB });
  });

  it('fits exactly at the edge but calls it tight, and fits once the headroom is left', () => {
    const quota = 100 * GB;
    const usage = 10 * GB;
    expect(storageFit([{ size: 90 * GB, cached: false }], { usage, quota }).status).toBe('tight');
    expect(storageFit([{ size: 90 * GB + 1, cached: false }], { usage, quota }).status).toBe('does-not-fit');
    const roomy = 90 * GB - quota * STORAGE_HEADROOM_FRACTION;
    expect(storageFit([{ size: roomy, cached: false }], { usage, quota }).status).toBe('fits');
    expect(storageFit([{ size: roomy + 1, cached: false }], { usage, quota }).status).toBe('tight');
  });

  it('does not guess when the browser gives no estimate, and treats usage above quota as nothing left', () => {
    expect(storageFit([{ size: 1 * MB, cached: false }], null)).toEqual({ status: 'unknown', neededBytes: 1 * MB });
    expect(storageFit([{ size: 1 * MB, cached: false }], { usage: 0, quota: 0 })).toEqual({ status: 'unknown', neededBytes: 1 * MB });
    expect(storageFit([{ size: 1, cached: false }], { usage: 5 * GB, quota: 4 * GB })).toMatchObject({ status: 'does-not-fit', freeBytes: 0 });
  });
});

describe('storageFitSentence', () => {
  it('says nothing when the model fits or is stored', () => {
    expect(storageFitSentence('tiny/patho-r1', storageFit([{ size: MB, cached: false }], { usage: 0, quota: GB }), formatBytes)).toBeNull();
    expect(storageFitSentence('tiny/patho-r1', { status: 'cached', neededBytes: 0 }, formatBytes)).toBeNull();
  });

  it('names the model, what it needs, what is left and what to do when it will not fit', () => {
    const sentence = storageFitSentence('local/patho-r1-3b', storageFit([{ size: 2.5 * GB, cached: false }], { usage: 3 * GB, quota: 4 * GB }), formatBytes);
    expect(sentence).toBe(
      'local/patho-r1-3b will not fit: it needs 2.5 GB and this browser has 1.0 GB left for PathoLens (quota 4.0 GB). ' +
        'It can still load for this visit (kept in memory), but it will be downloaded again next time. ' +
        'Free disk space, clear other sites’ data, or use a smaller dtype or the remote server.',
    );
  });

  it('warns when it fits with little room left, and when the browser does not say', () => {
    expect(storageFitSentence('m', storageFit([{ size: 90 * GB, cached: false }], { usage: 10 * GB, quota: 100 * GB }), formatBytes)).toMatch(/^m needs 90\.0 GB of the 90\.0 GB .* little room/);
    expect(storageFitSentence('m', { status: 'unknown', neededBytes: 3 * MB }, formatBytes)).toBe('This browser does not say how much storage is left; m needs 3.0 MB.');
  });
});
