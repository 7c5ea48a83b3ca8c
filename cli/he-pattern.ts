/**
 * A deterministic procedural H&E-like picture: white glass, tissue islands with soft edges, pink stroma with
 * fibre texture, and purple nuclei whose density varies. Rendered tile by tile from integer hashes (no
 * randomness, no state), so any tile of any slide size comes out the same on every machine.
 */

function hash(x: number, y: number, seed: number): number {
  let h = (x * 374761393 + y * 668265263 + seed * 2147483647) | 0;
  h = Math.imul(h ^ (h >>> 13), 1274126177);
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}

function smooth(t: number): number {
  return t * t * (3 - 2 * t);
}

/** Value noise at (x, y) in cells of `cell` pixels, in [0, 1). */
function valueNoise(x: number, y: number, cell: number, seed: number): number {
  const gx = x / cell;
  const gy = y / cell;
  const ix = Math.floor(gx);
  const iy = Math.floor(gy);
  const fx = smooth(gx - ix);
  const fy = smooth(gy - iy);
  const a = hash(ix, iy, seed);
  const b = hash(ix + 1, iy, seed);
  const c = hash(ix, iy + 1, seed);
  const d = hash(ix + 1, iy + 1, seed);
  return a + (b - a) * fx + (c - a) * fy + (a - b - c + d) * fx * fy;
}

export interface HePattern {
  width: number;
  height: number;
}

const NUCLEUS_CELL = 40; // px at level 0 (10 µm at 0.25 µm/px)
const STROMA_TEXTURE = 256;

/**
 * Value noise on a lattice that repeats every `period` cells in both directions (lattice units in, [0, 1) out).
 * The fibre texture below is indexed by slide coordinates modulo its size, so it must wrap without a break:
 * a texture that does not is a visible seam at every 256 px, which is where the tiles meet.
 */
function periodicValueNoise(gx: number, gy: number, period: number, seed: number): number {
  const ix = Math.floor(gx);
  const iy = Math.floor(gy);
  const fx = smooth(gx - ix);
  const fy = smooth(gy - iy);
  const wrap = (i: number) => ((i % period) + period) % period;
  const a = hash(wrap(ix), wrap(iy), seed);
  const b = hash(wrap(ix + 1), wrap(iy), seed);
  const c = hash(wrap(ix), wrap(iy + 1), seed);
  const d = hash(wrap(ix + 1), wrap(iy + 1), seed);
  return a + (b - a) * fx + (c - a) * fy + (a - b - c + d) * fx * fy;
}

/**
 * A tileable fibre texture, made once: streaks along a slanted direction plus fine grain. Every lattice coordinate
 * is an integer combination of x/256 and y/256, so moving 256 px moves the lattice by whole periods.
 */
const texture = (() => {
  const t = new Float32Array(STROMA_TEXTURE * STROMA_TEXTURE);
  const n = STROMA_TEXTURE;
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      const streak = periodicValueNoise((15 * x + 45 * y) / n, (15 * y - 15 * x) / n, 15, 7);
      const grain = periodicValueNoise((85 * x) / n, (85 * y) / n, 85, 11);
      t[y * n + x] = streak * 0.6 + grain * 0.4;
    }
  }
  return t;
})();

/**
 * Renders the level-0 pixels of [x0, x0+w) x [y0, y0+h) as RGB into `out` (w*h*3 bytes).
 */
export function renderHe(pattern: HePattern, x0: number, y0: number, w: number, h: number, out: Uint8Array): void {
  const scale = Math.max(pattern.width, pattern.height);
  // Tissue field: large blobs, fading towards the slide border, so there is glass around the tissue.
  const tissueCell = scale / 6;
  const tissueAt = (x: number, y: number) => {
    const n = valueNoise(x, y, tissueCell, 1) * 0.7 + valueNoise(x, y, tissueCell / 3, 2) * 0.3;
    const ex = Math.min(x, pattern.width - x) / (pattern.width * 0.12);
    const ey = Math.min(y, pattern.height - y) / (pattern.height * 0.12);
    return n * Math.min(1, ex, ey) * 1.6 - 0.55;
  };
  // Tissue is smooth at the tile scale: sample it on an 16-px grid and interpolate.
  const step = 16;
  const gw = Math.ceil(w / step) + 2;
  const gh = Math.ceil(h / step) + 2;
  const grid = new Float32Array(gw * gh);
  for (let j = 0; j < gh; j++) for (let i = 0; i < gw; i++) grid[j * gw + i] = tissueAt(x0 + i * step, y0 + j * step);
  for (let y = 0; y < h; y++) {
    const gy = y / step;
    const jy = Math.floor(gy);
    const fy = gy - jy;
    for (let x = 0; x < w; x++) {
      const gx = x / step;
      const ix = Math.floor(gx);
      const fx = gx - ix;
      const a = grid[jy * gw + ix]!;
      const b = grid[jy * gw + ix + 1]!;
      const c = grid[(jy + 1) * gw + ix]!;
      const d = grid[(jy + 1) * gw + ix + 1]!;
      const tissue = a + (b - a) * fx + (c - a) * fy + (a - b - c + d) * fx * fy;
      const o = (y * w + x) * 3;
      if (tissue <= 0) {
        // Glass: near white with faint noise.
        const g = 242 + ((x0 + x + (y0 + y) * 3) % 5);
        out[o] = g;
        out[o + 1] = g;
        out[o + 2] = g + 2 > 255 ? 255 : g + 2;
        continue;
      }
      const edge = Math.min(1, tissue * 6);
      const fibre = texture[((y0 + y) % STROMA_TEXTURE) * STROMA_TEXTURE + ((x0 + x) % STROMA_TEXTURE)]!;
      // Eosin pink, darker along fibres; blend with glass at the edge.
      const r = 236 - fibre * 40;
      const g = 168 - fibre * 70;
      const bl = 205 - fibre * 35;
      out[o] = 244 + (r - 244) * edge;
      out[o + 1] = 244 + (g - 244) * edge;
      out[o + 2] = 246 + (bl - 246) * edge;
    }
  }
  // Nuclei: one candidate per cell, kept where the tissue is dense enough.
  const c0x = Math.floor(x0 / NUCLEUS_CELL) - 1;
  const c0y = Math.floor(y0 / NUCLEUS_CELL) - 1;
  const c1x = Math.floor((x0 + w) / NUCLEUS_CELL) + 1;
  const c1y = Math.floor((y0 + h) / NUCLEUS_CELL) + 1;
  for (let cy = c0y; cy <= c1y; cy++) {
    for (let cx = c0x; cx <= c1x; cx++) {
      const px = (cx + 0.2 + hash(cx, cy, 3) * 0.6) * NUCLEUS_CELL;
      const py = (cy + 0.2 + hash(cx, cy, 4) * 0.6) * NUCLEUS_CELL;
      const tissue = tissueAt(px, py);
      const density = valueNoise(px, py, scale / 20, 5);
      if (tissue < 0.05 || hash(cx, cy, 6) > density * 1.4) continue;
      const rx = 9 + hash(cx, cy, 8) * 9;
      const ry = rx * (0.6 + hash(cx, cy, 9) * 0.4);
      const angle = hash(cx, cy, 10) * Math.PI;
      const cos = Math.cos(angle);
      const sin = Math.sin(angle);
      const dark = hash(cx, cy, 12);
      const bx0 = Math.max(0, Math.floor(px - rx - 2 - x0));
      const bx1 = Math.min(w - 1, Math.ceil(px + rx + 2 - x0));
      const by0 = Math.max(0, Math.floor(py - rx - 2 - y0));
      const by1 = Math.min(h - 1, Math.ceil(py + rx + 2 - y0));
      for (let y = by0; y <= by1; y++) {
        for (let x = bx0; x <= bx1; x++) {
          const dx = x0 + x + 0.5 - px;
          const dy = y0 + y + 0.5 - py;
          const u = (dx * cos + dy * sin) / rx;
          const v = (dy * cos - dx * sin) / ry;
          const d = u * u + v * v;
          if (d >= 1.15) continue;
          // Soft rim, chromatin speckle inside.
          const alpha = d < 0.85 ? 1 : (1.15 - d) / 0.3;
          const speckle = hash(x0 + x, y0 + y, 13) * 30;
          const o = (y * w + x) * 3;
          const r = 88 + dark * 40 + speckle;
          const g = 52 + dark * 30 + speckle * 0.6;
          const b = 140 + dark * 35 + speckle;
          out[o] = out[o]! + (r - out[o]!) * alpha;
          out[o + 1] = out[o + 1]! + (g - out[o + 1]!) * alpha;
          out[o + 2] = out[o + 2]! + (b - out[o + 2]!) * alpha;
        }
      }
    }
  }
}

/** 2x box downsample of an RGB tile quad (each w x h, missing ones treated as white). */
export function downsampleQuad(children: (Uint8Array | null)[], w: number, h: number, out: Uint8Array): void {
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const child = children[(y >= h / 2 ? 2 : 0) + (x >= w / 2 ? 1 : 0)];
      const sx = (x * 2) % w;
      const sy = (y * 2) % h;
      const o = (y * w + x) * 3;
      for (let c = 0; c < 3; c++) {
        if (!child) {
          out[o + c] = 255;
          continue;
        }
        const a = child[(sy * w + sx) * 3 + c]!;
        const b = child[(sy * w + sx + 1) * 3 + c]!;
        const d = child[((sy + 1) * w + sx) * 3 + c]!;
        const e = child[((sy + 1) * w + sx + 1) * 3 + c]!;
        out[o + c] = (a + b + d + e + 2) >> 2;
      }
    }
  }
}
