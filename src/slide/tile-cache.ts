/**
 * Decoded tiles kept for reuse, bounded by bytes (a setting), least recently used dropped first. Shared by the
 * readers so readRegion and the viewer do not decode a tile twice; reports its peak for the benchmark.
 */
import type { RgbaImage } from './slide-source';

export const DEFAULT_TILE_CACHE_BYTES = 256 * 1024 * 1024;

export interface TileCacheStats {
  limitBytes: number;
  bytes: number;
  peakBytes: number;
  tiles: number;
  hits: number;
  misses: number;
}

export class TileCache {
  private readonly entries = new Map<string, Promise<RgbaImage>>();
  private readonly sizes = new Map<string, number>();
  private bytes = 0;
  private peakBytes = 0;
  private hits = 0;
  private misses = 0;

  constructor(readonly limitBytes: number = DEFAULT_TILE_CACHE_BYTES) {}

  /** The cached tile, or `load()`'s (a failed load is not kept, so a retry decodes again). */
  get(key: string, load: () => Promise<RgbaImage>): Promise<RgbaImage> {
    const cached = this.entries.get(key);
    if (cached) {
      this.hits++;
      this.entries.delete(key);
      this.entries.set(key, cached);
      return cached;
    }
    this.misses++;
    const pending = load();
    if (this.limitBytes <= 0) return pending;
    this.entries.set(key, pending);
    pending.then(
      (tile) => {
        if (this.entries.get(key) !== pending) return;
        const size = tile.data.byteLength;
        this.sizes.set(key, size);
        this.bytes += size;
        this.evict();
        this.peakBytes = Math.max(this.peakBytes, this.bytes);
      },
      () => this.entries.get(key) === pending && this.entries.delete(key),
    );
    return pending;
  }

  /** The tile when it is cached or being decoded, without decoding it (nor counting a hit or miss). */
  peek(key: string): Promise<RgbaImage> | undefined {
    return this.entries.get(key);
  }

  private evict(): void {
    for (const key of this.entries.keys()) {
      if (this.bytes <= this.limitBytes) break;
      const size = this.sizes.get(key);
      if (size === undefined) continue; // still decoding
      this.entries.delete(key);
      this.sizes.delete(key);
      this.bytes -= size;
    }
  }

  clear(): void {
    this.entries.clear();
    this.sizes.clear();
    this.bytes = 0;
  }

  stats(): TileCacheStats {
    return { limitBytes: this.limitBytes, bytes: this.bytes, peakBytes: this.peakBytes, tiles: this.sizes.size, hits: this.hits, misses: this.misses };
  }
}
