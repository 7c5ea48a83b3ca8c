/**
 * DICOMweb against a real server: Orthanc with its DICOMweb plugin (tests/fixtures/orthanc.ts) loaded with the
 * DICOM fixtures. Series opened by URL equal OpenSlide's / wsidicom's pixels; a study URL finds its one slide by
 * QIDO-RS or lists its slides in a sentence; frames are asked for as stored, with the bearer token.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import fc from 'fast-check';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MultipartReader, multipartBoundary, parseMultipart, partTransferSyntax } from '../../src/slide/dicom/multipart';
import { jsonAttributes, type DicomJson } from '../../src/slide/dicom/dicom-attributes';
import { parseDicomWebUrl } from '../../src/slide/dicom/dicomweb';
import { planWsiSeries } from '../../src/slide/dicom/wsi-series';
import { FrameBatcher, MAX_FRAME_LIST_CHARS, MAX_REQUESTS_IN_FLIGHT, planFrameRequests } from '../../src/slide/dicom/frame-batcher';
import { openSlideNode } from '../../src/slide/open-slide-node';
import { SlideError } from '../../src/slide/slide-source';
import { resolveTileRequest } from '../../src/slide/tile-codec';
import { decodeTile } from '../../src/slide/tile-decoder';
import { fixturePath } from '../fixtures';
import { startOrthanc, type OrthancServer } from '../fixtures/orthanc';
import { compare, decodeWithLibjpeg } from './fixtures';

const SERIES = {
  'jpeg-full': '1.2.826.0.1.3680043.10.1432.1.2',
  'j2k-full': '1.2.826.0.1.3680043.10.1432.2.0',
  'sparse-concat': '1.2.826.0.1.3680043.10.1432.3.0',
} as const;
const STUDY = '1.2.826.0.1.3680043.10.1432.1.1';

const filesOf = (series: string) => readdirSync(fixturePath(`dicom/${series}`)).map((name) => join(fixturePath(`dicom/${series}`), name));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Every request the readers make, with its headers (the real fetch does the work). */
function recordingFetch(): { fetch: typeof fetch; requests: { url: string; headers: Record<string, string> }[] } {
  const requests: { url: string; headers: Record<string, string> }[] = [];
  return {
    requests,
    fetch: (input, init) => {
      requests.push({ url: String(input), headers: { ...(init?.headers as Record<string, string>) } });
      return globalThis.fetch(input, init);
    },
  };
}

const libjpeg = {
  decodeTile: async (request: Parameters<typeof resolveTileRequest>[0]) => decodeTile(await resolveTileRequest(request), { jpeg: decodeWithLibjpeg }),
};

describe('DICOMweb (Orthanc)', () => {
  let server: OrthancServer;

  beforeAll(async () => {
    server = await startOrthanc(await freePort(), Object.keys(SERIES).flatMap(filesOf));
  }, 60_000);
  afterAll(async () => server?.stop());

  it.each(Object.entries(SERIES))('%s by its series URL: levels equal the reference reader, frames asked for as stored', async (name, series) => {
    const { fetch, requests } = recordingFetch();
    const url = `${server.dicomWeb}/studies/${STUDY}/series/${series}`;
    const slide = await openSlideNode({ url }, { ...libjpeg, fetch, bearerToken: 'token-17' });
    const note = JSON.parse(readFileSync(fixturePath(`dicom/${name}.json`), 'utf8')) as { levels: { png: string }[]; associated: Record<string, unknown> };
    expect(slide.metadata.format).toBe('dicom');
    expect(slide.metadata.levels.length).toBe(note.levels.length);
    expect([...slide.metadata.associatedImages].sort()).toEqual(Object.keys(note.associated).sort());
    for (const [k, { png }] of note.levels.entries()) {
      const { data, info } = await sharp(fixturePath(`dicom/${png}`))
        .ensureAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true });
      const region = await slide.readRegion(
        { x: 0, y: 0, width: slide.metadata.width, height: slide.metadata.height },
        slide.metadata.mppX! * slide.metadata.levels[k]!.downsample,
      );
      expect([region.width, region.height]).toEqual([info.width, info.height]);
      const diff = compare(region.data, data);
      console.info(`${name} over DICOMweb, level ${k}: mean |diff| ${diff.mean.toFixed(3)}, max ${diff.max}`);
      expect(diff.mean).toBe(0);
    }
    await slide.close();
    const frames = requests.filter((request) => request.url.includes('/frames/'));
    expect(frames.length).toBeGreaterThan(0);
    for (const request of requests) expect(request.headers.Authorization).toBe('Bearer token-17');
    for (const request of frames) expect(request.headers.Accept).toBe('multipart/related; type="application/octet-stream"; transfer-syntax=*');
    // Tiles asked for together go as one frame list per instance.
    expect(frames.some((request) => /\/frames\/\d+(,\d+)+$/.test(request.url))).toBe(true);
    expect(slide.metadata.compression).toBe({ 'jpeg-full': 'JPEG baseline', 'j2k-full': 'JPEG 2000 lossless', 'sparse-concat': 'uncompressed' }[name]);
  });

  it('mutated series metadata from the server plans a slide or gives a SlideError, never anything else', async () => {
    const url = `${server.dicomWeb}/studies/${STUDY}/series/${SERIES['jpeg-full']}/metadata`;
    const metadata = (await (await fetch(url, { headers: { Accept: 'application/dicom+json' } })).json()) as DicomJson[];
    const tags = [...new Set(metadata.flatMap((json) => Object.keys(json)))];
    const values = [[], [0], [-1], [1e9], [2 ** 31], ['x'], [null], [{}], ['VOLUME'], ['TILED_SPARSE'], undefined];
    await fc.assert(
      fc.property(
        fc.array(fc.record({ instance: fc.nat(), tag: fc.constantFrom(...tags), value: fc.constantFrom(...values) }), { minLength: 1, maxLength: 8 }),
        (mutations) => {
          const copy = structuredClone(metadata);
          for (const { instance, tag, value } of mutations) {
            const json = copy[instance % copy.length]!;
            if (value === undefined) delete json[tag];
            else json[tag] = { ...json[tag], Value: value as unknown[] };
          }
          try {
            const plan = planWsiSeries(
              'fuzzed',
              copy.map((json) => ({ attributes: jsonAttributes(json), handle: null })),
            );
            expect(plan.levels.length).toBeGreaterThan(0);
          } catch (error) {
            if (!(error instanceof SlideError)) throw new Error(`not a SlideError: ${String(error)}`, { cause: error });
          }
        },
      ),
      { numRuns: 500, seed: 20261128 },
    );
  });

  it('a study URL with several slides lists their series URLs in the sentence', async () => {
    const error = await openSlideNode({ url: `${server.dicomWeb}/studies/${STUDY}` }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SlideError);
    expect((error as Error).message).toMatch(/holds 3 slides; open one of them by its series URL: .*\/series\/1\.2\.826\.0\.1\.3680043\.10\.1432\.1\.2/);
  });

  it('a series the server does not have, and a server that is not there, give sentences', async () => {
    const missing = await openSlideNode({ url: `${server.dicomWeb}/studies/${STUDY}/series/1.2.3.4` }).catch((e: unknown) => e);
    expect((missing as Error).message).toMatch(/DICOMweb server (answered 404|has no instances)/);
    const away = await openSlideNode({ url: `http://127.0.0.1:9/dicom-web/studies/${STUDY}/series/1.2.3` }).catch((e: unknown) => e);
    expect((away as Error).message).toMatch(/Could not reach the DICOMweb server/);
  });
});

describe('DICOMweb study with one slide', () => {
  it('a study URL opens its only slide, found by QIDO-RS', async () => {
    const server = await startOrthanc(await freePort(), filesOf('jpeg-full'));
    try {
      const { fetch, requests } = recordingFetch();
      const slide = await openSlideNode({ url: `${server.dicomWeb}/studies/${STUDY}` }, { fetch });
      expect(slide.metadata.name).toBe(`${server.dicomWeb}/studies/${STUDY}/series/${SERIES['jpeg-full']}`);
      expect(requests[0]!.url).toBe(`${server.dicomWeb}/studies/${STUDY}/series?Modality=SM`);
      await slide.close();
    } finally {
      await server.stop();
    }
  }, 60_000);
});

describe('DICOMweb pieces', () => {
  it('frame requests made together become one request per instance; an aborted one is left out', async () => {
    const calls: string[] = [];
    const batcher = new FrameBatcher<string>(async (url, frames, deliver) => {
      calls.push(`${url}:${frames.join(',')}`);
      frames.forEach((frame, i) => deliver(i, `${url}#${frame}`));
    });
    const aborted = new AbortController();
    const results = Promise.all([batcher.request('a', 3), batcher.request('a', 1), batcher.request('b', 2), batcher.request('a', 3)]);
    const dropped = batcher.request('a', 9, aborted.signal).catch((error: unknown) => error);
    aborted.abort(new Error('gone'));
    expect(await results).toEqual(['a#3', 'a#1', 'b#2', 'a#3']);
    expect(((await dropped) as Error).message).toBe('gone');
    expect(calls).toEqual(['a:1,3', 'b:2']);
  });

  it('frames are handed over as they arrive; at most MAX_REQUESTS_IN_FLIGHT requests, the rest go together next', async () => {
    const calls: number[][] = [];
    const finish: (() => void)[] = [];
    const batcher = new FrameBatcher<number>((_url, frames, deliver) => {
      calls.push(frames);
      deliver(0, frames[0]!); // the first part is in before the answer ends
      return new Promise<void>((resolve) =>
        finish.push(() => {
          frames.slice(1, -1).forEach((frame, i) => deliver(i + 1, frame)); // the last part never comes
          resolve();
        }),
      );
    });
    const tick = () => new Promise((resolve) => setTimeout(resolve, 5));
    const results: Promise<string>[] = [];
    const ask = (frame: number) => results.push(batcher.request('a', frame).then(String, (error: Error) => error.message));
    for (let i = 1; i <= MAX_REQUESTS_IN_FLIGHT; i++) {
      ask(i);
      await tick();
    }
    expect(await results[0]).toBe('1'); // its request has not ended
    ask(MAX_REQUESTS_IN_FLIGHT + 2);
    ask(MAX_REQUESTS_IN_FLIGHT + 1);
    await tick();
    expect(calls.length).toBe(MAX_REQUESTS_IN_FLIGHT);
    finish.shift()!();
    await tick();
    // The two asked for while the requests were busy share the next one.
    expect(calls.at(-1)).toEqual([MAX_REQUESTS_IN_FLIGHT + 1, MAX_REQUESTS_IN_FLIGHT + 2]);
    while (finish.length > 0) finish.shift()!();
    expect(await Promise.all(results)).toEqual([
      ...Array.from({ length: MAX_REQUESTS_IN_FLIGHT }, (_, i) => String(i + 1)),
      'the server sent 1 frames for 2 asked', // the second part of the last request never came
      String(MAX_REQUESTS_IN_FLIGHT + 1),
    ]);
  });

  it('planFrameRequests: sorted distinct frames in as few near-equal requests as MAX_FRAME_LIST_CHARS allows', () => {
    expect(planFrameRequests([5, 3, 5, 1])).toEqual([[1, 3, 5]]);
    // Five-digit frames take 6 characters each with their comma.
    const fit = Math.floor(MAX_FRAME_LIST_CHARS / 6);
    expect(planFrameRequests(Array.from({ length: fit }, (_, i) => 10_000 + i)).length).toBe(1);
    const plan = planFrameRequests(Array.from({ length: fit + 2 }, (_, i) => 10_000 + i));
    expect(plan.map((request) => request.length)).toEqual([Math.ceil((fit + 2) / 2), Math.floor((fit + 2) / 2)]);
    for (const request of plan) expect(request.join(',').length).toBeLessThanOrEqual(MAX_FRAME_LIST_CHARS);
  });

  it('multipart: a body read in chunks of any sizes gives the same parts as read whole', () => {
    const text =
      'preamble\r\n--b-1\r\nContent-Type: application/octet-stream; transfer-syntax=1.2.840.10008.1.2.4.50\r\n\r\n\xff\xd8a--b-\r\nb\xff\xd9\r\n' +
      '--b-1\r\nContent-Type: application/octet-stream; transfer-syntax=1.2.840.10008.1.2.1\r\n\r\nxyz\r\n--b-1--\r\n';
    const body = Uint8Array.from(text, (c) => c.charCodeAt(0));
    const whole = parseMultipart(body, 'b-1');
    expect(whole.map((part) => part.body.length)).toEqual([12, 3]);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: body.length }), { maxLength: 12 }), (cuts) => {
        const reader = new MultipartReader('b-1');
        const parts = [];
        let at = 0;
        for (const cut of [...cuts].sort((a, b) => a - b).concat(body.length)) {
          parts.push(...reader.push(body.subarray(at, Math.max(at, cut))));
          at = Math.max(at, cut);
        }
        reader.finish();
        expect(parts).toEqual(whole);
      }),
      { numRuns: 300, seed: 20261129 },
    );
  });

  it('URLs: service root, study and series', () => {
    expect(parseDicomWebUrl('https://pacs.example/dicom-web/studies/1.2.3/series/4.5.6')).toEqual({
      base: 'https://pacs.example/dicom-web',
      study: '1.2.3',
      series: '4.5.6',
    });
    expect(parseDicomWebUrl('/dicomweb/studies/1.2.3/')).toEqual({ base: '/dicomweb', study: '1.2.3', series: null });
    expect(parseDicomWebUrl('https://example/slide.dzi')).toBeNull();
  });

  it('multipart: random bodies give parts or an error, never a hang', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), fc.constantFrom('b', 'b-1', '--'), (body, boundary) => {
        try {
          for (const part of parseMultipart(body, boundary)) expect(part.body.length).toBeLessThanOrEqual(body.length);
        } catch (error) {
          expect((error as Error).message).toMatch(/no part/);
        }
      }),
      { numRuns: 500, seed: 20261128 },
    );
  });

  it('multipart: quoted boundary, each part with its own transfer syntax, CRLF before the delimiter not in the part', () => {
    const contentType = 'multipart/related; type="application/octet-stream"; boundary="b-1"';
    expect(multipartBoundary(contentType)).toBe('b-1');
    const text = '--b-1\r\nContent-Type: application/octet-stream; transfer-syntax=1.2.840.10008.1.2.4.50\r\n\r\n\xff\xd8ab\xff\xd9\r\n--b-1--\r\n';
    const [part] = parseMultipart(
      Uint8Array.from(text, (c) => c.charCodeAt(0)),
      'b-1',
    );
    expect(Array.from(part!.body)).toEqual([0xff, 0xd8, 0x61, 0x62, 0xff, 0xd9]);
    expect(partTransferSyntax(part!.headers['content-type'])).toBe('1.2.840.10008.1.2.4.50');
    expect(() => parseMultipart(new Uint8Array(10), 'b-1')).toThrow(/no part/);
  });
});
