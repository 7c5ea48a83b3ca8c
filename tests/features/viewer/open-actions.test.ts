import { describe, expect, it } from 'vitest';
import { SlideError, type SlideMetadata, type SlideSource } from '../../../src/slide/slide-source';
import { memoryRoiPersistence } from '../../../src/session/roi-db';
import { createSlideStore } from '../../../src/session/slide-store';
import { filesInput, inputName, openDemoSlideIfPresent, openFailureSentence, openInViewer, type SlideInput } from '../../../src/features/viewer/open-actions';

function slideNamed(name: string): SlideSource & { closed: boolean } {
  const metadata: SlideMetadata = {
    name,
    format: 'tiff',
    vendor: null,
    width: 10,
    height: 10,
    levels: [{ width: 10, height: 10, downsample: 1, tileWidth: 16, tileHeight: 16 }],
    mppX: null,
    mppY: null,
    objectivePower: null,
    compression: null,
    associatedImages: [],
    properties: {},
  };
  const blank = { width: 1, height: 1, data: new Uint8ClampedArray(4) };
  return {
    metadata,
    closed: false,
    readTile: async () => blank,
    readRegion: async () => ({ ...blank, mpp: null, level: 0, downsample: 1 }),
    readAssociatedImage: async () => blank,
    async close() {
      this.closed = true;
    },
  };
}

function setup(open: (input: SlideInput) => Promise<SlideSource>) {
  const errors: string[] = [];
  const store = createSlideStore({ persistence: memoryRoiPersistence(), reportError: (s) => errors.push(s) });
  return { store, errors, deps: { open, store, reportError: (s: string) => errors.push(s) } };
}

describe('opening slides from the UI', () => {
  it('several files (a DICOM series) open as one slide, known by the largest file and named by their folder', async () => {
    const small = new File([new Uint8Array(3)], 'label.dcm');
    const large = new File([new Uint8Array(30)], 'volume.dcm');
    expect(filesInput([small])).toEqual({ file: small });
    expect(filesInput([])).toBeNull();
    const input = filesInput([small, large], 'slide-17')!;
    expect(inputName(input)).toBe('slide-17');
    expect(inputName(filesInput([small, large])!)).toBe('label.dcm and 1 more files');
    const { store, deps } = setup(async (opened) => slideNamed(inputName(opened)));
    expect(await openInViewer(input, deps)).toBe(true);
    expect(store.getState().slide?.identity).toMatch(/^file:volume\.dcm:30:/);
  });

  it('opens a file under an identity from its name, size and first bytes', async () => {
    const { store, deps, errors } = setup(async (input) => slideNamed(inputName(input)));
    expect(await openInViewer({ file: new File([new Uint8Array([1, 2, 3])], 'a.svs') }, deps)).toBe(true);
    expect(store.getState().slide?.identity).toMatch(/^file:a\.svs:3:[0-9a-f]{64}$/);
    expect(store.getState().opening).toBeNull();
    expect(errors).toEqual([]);
  });

  it('a failing open reports one sentence naming the file and keeps the open slide', async () => {
    const good = slideNamed('good.tiff');
    let fail = false;
    const { store, deps, errors } = setup(async () => {
      if (fail) throw new SlideError('unopenable.tiff is not a TIFF file (it does not start with II or MM).');
      return good;
    });
    await openInViewer({ file: new File(['x'], 'good.tiff') }, deps);
    fail = true;
    expect(await openInViewer({ file: new File(['y'], 'unopenable.tiff') }, deps)).toBe(false);
    expect(errors).toEqual(['unopenable.tiff is not a TIFF file (it does not start with II or MM). Any slide already open stays as it was.']);
    expect(store.getState().slide?.source).toBe(good);
    expect(good.closed).toBe(false);
    expect(store.getState().opening).toBeNull();
  });

  it('words failures that are not SlideErrors as "Could not open NAME: why."', () => {
    expect(openFailureSentence('https://x/slide.dzi', new TypeError('Failed to fetch'), false)).toBe(
      'Could not open https://x/slide.dzi: Failed to fetch. Check the address (a DZI, IIIF or TIFF/SVS URL) and that the server allows this page to read it.',
    );
    expect(openFailureSentence('a.svs', 'boom', true)).toBe(
      'Could not open a.svs: boom. Choose an SVS, TIFF, OME-TIFF, DICOM, JPEG or PNG slide (a DICOM slide: all its files, or its folder).',
    );
  });

  it('a URL on another server that fails gets a hint about the allowed sources', async () => {
    const { deps, errors } = setup(async () => {
      throw new SlideError('Could not reach https://tiles.example/a.dzi: Failed to fetch.');
    });
    const location = globalThis.location;
    Object.defineProperty(globalThis, 'location', { value: { origin: 'http://127.0.0.1:4173' }, configurable: true });
    try {
      await openInViewer({ url: 'https://tiles.example/a.dzi' }, deps);
      await openInViewer({ url: 'http://127.0.0.1:4173/b.dzi' }, deps);
    } finally {
      Object.defineProperty(globalThis, 'location', { value: location, configurable: true });
    }
    expect(errors[0]).toMatch(/Failed to fetch\. Check the address .*allowed sources/);
    expect(errors[1]).not.toMatch(/allowed sources/);
  });

  it('opens the demo slide only when the server really has one', async () => {
    const headers = (type: string) => new Response(null, { status: 200, headers: { 'content-type': type } });
    const opened: string[] = [];
    const open = async (input: SlideInput) => {
      opened.push(inputName(input));
      return slideNamed('demo-slide.svs');
    };

    const spaFallback = setup(open);
    expect(await openDemoSlideIfPresent(spaFallback.deps, 'http://127.0.0.1:4173/', async () => headers('text/html'))).toBe(false);
    const missing = setup(open);
    expect(await openDemoSlideIfPresent(missing.deps, 'http://127.0.0.1:4173/', async () => new Response(null, { status: 404 }))).toBe(false);
    const offline = setup(open);
    expect(
      await openDemoSlideIfPresent(offline.deps, 'http://127.0.0.1:4173/', async () => {
        throw new TypeError('Failed to fetch');
      }),
    ).toBe(false);
    expect(opened).toEqual([]);

    const present = setup(open);
    expect(await openDemoSlideIfPresent(present.deps, 'http://127.0.0.1:4173/viewer?x=1', async () => headers(''))).toBe(true);
    expect(opened).toEqual(['http://127.0.0.1:4173/demo/demo-slide.svs']);
    expect(present.store.getState().slide?.identity).toBe('url:http://127.0.0.1:4173/demo/demo-slide.svs');
    expect(present.errors).toEqual([]);
  });

  it('a slide the user opened first is not replaced by the demo', async () => {
    const { store, deps } = setup(async () => slideNamed('mine.tiff'));
    await openInViewer({ file: new File(['m'], 'mine.tiff') }, deps);
    expect(await openDemoSlideIfPresent(deps, 'http://localhost/', async () => new Response(null, { status: 200 }))).toBe(false);
    expect(store.getState().slide?.metadata.name).toBe('mine.tiff');
  });
});
