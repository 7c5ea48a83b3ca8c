import { describe, expect, it } from 'vitest';
import { IDENTITY_PREFIX_BYTES, blobIdentity, fileIdentity, sha256Hex, urlIdentity } from '../../../src/features/viewer/slide-identity';

describe('slide identity', () => {
  it('hashes with SHA-256', async () => {
    expect(await sha256Hex(new TextEncoder().encode('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('depends on name, size and the first bytes only', async () => {
    const bytes = new Uint8Array(IDENTITY_PREFIX_BYTES + 10).map((_, i) => i % 251);
    const a = await fileIdentity('a.svs', bytes.length, bytes);
    expect(a).toMatch(/^file:a\.svs:65546:[0-9a-f]{64}$/);
    const tailChanged = bytes.slice();
    tailChanged[IDENTITY_PREFIX_BYTES + 5] = 0;
    expect(await fileIdentity('a.svs', bytes.length, tailChanged)).toBe(a);
    const headChanged = bytes.slice();
    headChanged[3] = 99;
    expect(await fileIdentity('a.svs', bytes.length, headChanged)).not.toBe(a);
    expect(await fileIdentity('b.svs', bytes.length, bytes)).not.toBe(a);
    expect(await blobIdentity(new File([bytes], 'a.svs'))).toBe(a);
  });

  it('knows remote slides by URL', () => {
    expect(urlIdentity('https://tiles.example/slide.dzi')).toBe('url:https://tiles.example/slide.dzi');
    expect(urlIdentity('https://tiles.example/slide.dzi', 'http://127.0.0.1:4173')).toBe('url:https://tiles.example/slide.dzi');
    // The demo on the app's own server keeps its ROIs whichever port serves the app.
    expect(urlIdentity('http://127.0.0.1:4173/demo/demo-slide.svs', 'http://127.0.0.1:4173')).toBe('url:/demo/demo-slide.svs');
    expect(urlIdentity('not a url', 'http://127.0.0.1:4173')).toBe('url:not a url');
  });
});
