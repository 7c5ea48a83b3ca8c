/**
 * Writes the procedural H&E picture (he-pattern.ts) as an Aperio-style SVS: JPEG tiles (encoded by sharp,
 * several at once on libuv's threads while JavaScript renders the next), a 2x pyramid built by averaging each
 * 2x2 group of tiles, a thumbnail page and a label page. Used by make-demo-slide and the tiles benchmark.
 */
import { closeSync, openSync, renameSync, writeSync } from 'node:fs';
import sharp from 'sharp';
import { TiffWriter, type ByteSink } from '../src/slide/tiff-writer';
import { downsampleQuad, renderHe } from './he-pattern';

export interface HeSlideOptions {
  path: string;
  size: number;
  tile?: number;
  mpp?: number;
  appMag?: number;
  quality?: number;
  /** Smallest level kept: levels halve until both sides fit in one tile. */
  onProgress?: (done: number, total: number) => void;
}

class FileSink implements ByteSink {
  private position = 0;
  constructor(readonly fd: number) {}
  write(bytes: Uint8Array): number {
    const at = this.position;
    let written = 0;
    while (written < bytes.length) written += writeSync(this.fd, bytes, written, bytes.length - written, at + written);
    this.position += bytes.length;
    return at;
  }
}

export async function writeHeSlide(options: HeSlideOptions): Promise<{ levels: number; tiles: number }> {
  const { size, path } = options;
  const tile = options.tile ?? 256;
  const mpp = options.mpp ?? 0.25;
  const appMag = options.appMag ?? 40;
  const quality = options.quality ?? 85;
  const levelCount = Math.max(1, Math.ceil(Math.log2(size / tile)) + 1);
  const dims = Array.from({ length: levelCount }, (_, k) => Math.ceil(size / 2 ** k));
  const grid = dims.map((d) => Math.ceil(d / tile));
  const total = grid.reduce((sum, g) => sum + g * g, 0);

  const temp = `${path}.partial`;
  const fd = openSync(temp, 'w');
  const sink = new FileSink(fd);
  const writer = new TiffWriter(sink);
  const description = (k: number) =>
    `Aperio Image Library v12.0.15 \r\n${size}x${size} [0,0 ${size}x${size}] (${tile}x${tile}) JPEG/YCC Q=${quality}` +
    (k > 0 ? ` -> ${dims[k]}x${dims[k]} D=${2 ** k}` : '') +
    `|AppMag = ${appMag}|MPP = ${mpp}|Filename = PathoLens demo|Title = Procedural H&E (not a patient)|ScanScope ID = PATHOLENS`;
  const jpegPage = (k: number) =>
    writer.addPage({
      width: dims[k]!,
      height: dims[k]!,
      tileWidth: tile,
      tileHeight: tile,
      compression: 7,
      photometric: 6,
      samplesPerPixel: 3,
      description: description(k),
      ycbcrSubsampling: [2, 2],
    });
  // Aperio order: level 0, thumbnail (strips), then the reduced levels, then label.
  const pages: number[] = [jpegPage(0)];
  const thumbSize = Math.min(1024, size);
  const thumbnailPage = writer.addPage({
    width: thumbSize,
    height: thumbSize,
    compression: 7,
    photometric: 6,
    samplesPerPixel: 3,
    description: `Aperio Image Library v12.0.15 \r\n${size}x${size} -> ${thumbSize}x${thumbSize} - |AppMag = ${appMag}|MPP = ${mpp}`,
  });
  for (let k = 1; k < levelCount; k++) pages.push(jpegPage(k));

  const encode = (rgb: Uint8Array, w: number, h: number) =>
    sharp(rgb, { raw: { width: w, height: h, channels: 3 } })
      .jpeg({ quality, chromaSubsampling: '4:2:0' })
      .toBuffer();
  let inFlight: Promise<void>[] = [];
  let done = 0;
  const emit = async (k: number, col: number, row: number, rgb: Uint8Array) => {
    inFlight.push(
      encode(rgb, tile, tile).then((jpeg) => {
        writer.addTile(pages[k]!, jpeg, row * grid[k]! + col);
        done++;
        if (done % 512 === 0) options.onProgress?.(done, total);
      }),
    );
    if (inFlight.length >= 16) {
      await Promise.all(inFlight);
      inFlight = [];
    }
  };
  // Depth-first over the quadtree: each level-0 tile is rendered once, parents are averaged from children.
  const visit = async (k: number, col: number, row: number): Promise<Uint8Array | null> => {
    if (col >= grid[k]! || row >= grid[k]!) return null;
    const rgb = new Uint8Array(tile * tile * 3);
    if (k === 0) {
      renderHe({ width: size, height: size }, col * tile, row * tile, tile, tile, rgb);
    } else {
      const children: (Uint8Array | null)[] = [];
      for (const [dc, dr] of [
        [0, 0],
        [1, 0],
        [0, 1],
        [1, 1],
      ] as const)
        children.push(await visit(k - 1, col * 2 + dc, row * 2 + dr));
      downsampleQuad(children, tile, tile, rgb);
    }
    await emit(k, col, row, rgb);
    return rgb;
  };
  const top = levelCount - 1;
  const topTiles: Uint8Array[] = [];
  for (let row = 0; row < grid[top]!; row++) for (let col = 0; col < grid[top]!; col++) topTiles.push((await visit(top, col, row))!);
  await Promise.all(inFlight);

  // Thumbnail from the smallest level (a single tile), scaled by sharp.
  const topRgb = topTiles[0]!;
  const thumbnail = await sharp(topRgb, { raw: { width: tile, height: tile, channels: 3 } })
    .extract({ left: 0, top: 0, width: Math.min(tile, dims[top]!), height: Math.min(tile, dims[top]!) })
    .resize(thumbSize, thumbSize)
    .jpeg({ quality: 80 })
    .toBuffer();
  writer.addTile(thumbnailPage, thumbnail);
  // A label: white card with a barcode-like pattern (no fonts needed).
  const labelW = 400;
  const labelH = 400;
  const label = new Uint8Array(labelW * labelH * 3).fill(250);
  for (let x = 40; x < 360; x++) {
    const bar = (x * 7919) % 13 < 6;
    for (let y = 60; y < 160 && bar; y++) label.fill(20, (y * labelW + x) * 3, (y * labelW + x) * 3 + 3);
  }
  const labelPage = writer.addPage({
    width: labelW,
    height: labelH,
    compression: 7,
    photometric: 6,
    samplesPerPixel: 3,
    newSubfileType: 1,
    description: 'label 400x400',
  });
  writer.addTile(
    labelPage,
    await sharp(label, { raw: { width: labelW, height: labelH, channels: 3 } })
      .jpeg({ quality: 90 })
      .toBuffer(),
  );

  const first = writer.finish();
  const header = new Uint8Array(4);
  new DataView(header.buffer).setUint32(0, first, true);
  writeSync(fd, header, 0, 4, 4);
  closeSync(fd);
  renameSync(temp, path);
  return { levels: levelCount, tiles: total };
}
