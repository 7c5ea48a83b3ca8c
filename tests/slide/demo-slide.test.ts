/** The demo-slide writer (cli/he-slide-writer.ts) makes an Aperio-style SVS our readers open as such. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeHeSlide } from '../../cli/he-slide-writer';
import { openSlideNode } from '../../src/slide/open-slide-node';

const dir = mkdtempSync(join(tmpdir(), 'patholens-demo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('procedural H&E slide', () => {
  it('is a JPEG Aperio pyramid at 0.25 µm/px, 40x, with tissue, glass, label and thumbnail, the same every time', async () => {
    const path = join(dir, 'demo.svs');
    const { levels } = await writeHeSlide({ path, size: 2048 });
    expect(levels).toBe(4);
    const slide = await openSlideNode({ path });
    const m = slide.metadata;
    expect(m).toMatchObject({ format: 'aperio-svs', vendor: 'Aperio', width: 2048, height: 2048, mppX: 0.25, objectivePower: 40, compression: 'JPEG' });
    expect(m.levels.map((l) => l.downsample)).toEqual([1, 2, 4, 8]);
    expect(m.associatedImages).toEqual(['label', 'thumbnail']);
    const label = await slide.readAssociatedImage('label');
    expect([label.width, label.height]).toEqual([400, 400]);

    const overview = await slide.readRegion({ x: 0, y: 0, width: 2048, height: 2048 }, 2);
    expect(overview.level).toBe(3);
    let pink = 0;
    let purple = 0;
    let glass = 0;
    for (let i = 0; i < overview.data.length; i += 4) {
      const [r, g, b] = [overview.data[i]!, overview.data[i + 1]!, overview.data[i + 2]!];
      if (r > 235 && g > 235 && b > 235) glass++;
      else if (r > 180 && g < 200 && b > 150) pink++;
      else if (r < 170 && b > r) purple++;
    }
    const n = overview.data.length / 4;
    expect(glass / n).toBeGreaterThan(0.05);
    expect(pink / n).toBeGreaterThan(0.2);
    // Nuclei are small: at level 0 a tissue area shows purple.
    const detail = await slide.readRegion({ x: 1024 - 256, y: 1024 - 256, width: 512, height: 512 }, null);
    let nuclei = 0;
    for (let i = 0; i < detail.data.length; i += 4) if (detail.data[i]! < 170 && detail.data[i + 2]! > detail.data[i]!) nuclei++;
    expect(nuclei / (512 * 512) + purple / n).toBeGreaterThan(0.02);
    await slide.close();

    // Deterministic: a second file has the same tiles.
    const again = join(dir, 'again.svs');
    await writeHeSlide({ path: again, size: 2048 });
    const [first, second] = await Promise.all([openSlideNode({ path }), openSlideNode({ path: again })]);
    const a = await first.readTile(0, 3, 4);
    const b = await second.readTile(0, 3, 4);
    expect(Buffer.from(a.data).equals(Buffer.from(b.data))).toBe(true);
    await Promise.all([first.close(), second.close()]);
  });
});
