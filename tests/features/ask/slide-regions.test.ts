/**
 * "Ask the slide" region choice: on a generated slide with planted patterns whose similarity to the queries is
 * known (the colour stand-in PathoCLIP: an image's embedding is its mean colour), through the real index builder
 * and int8 scoring; and grouping, non-maximum suppression and the token budget against brute force.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildSlideIndex } from '../../../src/features/search/index-builder';
import { scoreAllTiles } from '../../../src/features/search/similarity';
import {
  groupTiles,
  intersectionOverUnion,
  nonMaximumSuppression,
  touchingGroups,
  type CellBox,
  type ScoredCell,
} from '../../../src/features/ask/slide/region-grouping';
import { selectRegions, DEFAULT_REGION_SELECTION } from '../../../src/features/ask/slide/region-selection';
import { combineQueryScores, slideQueries } from '../../../src/features/ask/slide/slide-queries';
import {
  QWEN_TOKEN_SIDE,
  REGION_SLOT_TOKENS,
  estimateTextTokens,
  magnificationLadder,
  planRegionBudget,
  qwenImageTokens,
  type BudgetInput,
} from '../../../src/features/ask/slide/region-budget';
import { planRegionRead } from '../../../src/session/region-plan';
import { seededRandom } from '../../../src/ui/seeded-random';
import { colourEngine } from '../search/colour-engine';
import { memorySlide, tissuePicture } from '../search/generated-slides';

describe('queries of a slide question', () => {
  it('asks the question and each option once, in order', () => {
    expect(slideQueries('  Is there  carcinoma? ', ['Carcinoma', 'is there carcinoma?', '', 'Lymphoma'])).toEqual([
      'Is there carcinoma?',
      'Carcinoma',
      'Lymphoma',
    ]);
  });

  it('standardises each query before taking the best per tile', () => {
    // Query 0's scores all sit high but barely differ; query 1 stands out on tile 2.
    const { scores, bestQuery } = combineQueryScores([Float32Array.from([0.9, 0.91, 0.9, 0.9]), Float32Array.from([0.1, 0.1, 0.5, 0.1])]);
    expect(bestQuery[2]).toBe(1);
    expect(scores[2]).toBeCloseTo(Math.sqrt(3), 5);
    expect(bestQuery[1]).toBe(0);
  });
});

describe('regions found on a generated slide with planted patterns', () => {
  // 2048 x 2048 at 0.25 µm/px, indexed at 10x with 32 px tiles: 128 level-0 px a tile, a 16 x 16 grid.
  const tile = 128;
  const eosinBlock = { x: 3 * tile, y: 2 * tile, width: 2 * tile, height: 2 * tile, stain: 'eosin' as const };
  const hematoxylinBlock = { x: 10 * tile, y: 11 * tile, width: 3 * tile, height: 2 * tile, stain: 'hematoxylin' as const };
  const picture = tissuePicture(2048, 2048, [eosinBlock, hematoxylinBlock, { x: tile, y: tile, width: 14 * tile, height: 14 * tile }]);

  it('finds the eosin block for "red" and the hematoxylin block for "blue", numbered best first, each with one tile of context', async () => {
    const engine = colourEngine();
    const index = await buildSlideIndex({ source: memorySlide(picture), slideIdentity: 'file:planted', engine, magnification: 10 });
    expect(index.grid.tileSideLevel0).toBe(tile);
    const queries = slideQueries('red', ['red', 'blue']);
    expect(queries).toEqual(['red', 'blue']);
    const perQuery = await Promise.all((await engine.embedTexts(queries)).map((vector) => scoreAllTiles(index, vector, { pause: async () => undefined })));
    // Only the 10 planted tiles: the regions are exactly the two blocks, padded by one tile.
    const regions = selectRegions(index.grid, index.cells, perQuery, { ...DEFAULT_REGION_SELECTION, candidateTiles: 10 });
    expect(regions).toHaveLength(2);
    const byQuery = new Map(regions.map((region) => [queries[region.query], region]));
    expect(byQuery.get('red')!.box).toEqual({ firstColumn: 2, firstRow: 1, lastColumn: 5, lastRow: 4 });
    expect(byQuery.get('red')!.tileCount).toBe(4);
    expect(byQuery.get('blue')!.box).toEqual({ firstColumn: 9, firstRow: 10, lastColumn: 13, lastRow: 13 });
    expect(byQuery.get('blue')!.rect).toEqual({ x: 9 * tile, y: 10 * tile, width: 5 * tile, height: 4 * tile });
    expect(regions[0]!.score).toBeGreaterThanOrEqual(regions[1]!.score);

    // With the default number of candidates the planted blocks still lead, and no two regions overlap much.
    const many = selectRegions(index.grid, index.cells, perQuery);
    const contains = (box: CellBox, column: number, row: number) =>
      column >= box.firstColumn && column <= box.lastColumn && row >= box.firstRow && row <= box.lastRow;
    expect(contains(many[0]!.box, 3, 2) || contains(many[0]!.box, 10, 11)).toBe(true);
    expect(contains(many[1]!.box, 3, 2) || contains(many[1]!.box, 10, 11)).toBe(true);
    for (let i = 0; i < many.length; i++)
      for (let j = i + 1; j < many.length; j++) expect(intersectionOverUnion(many[i]!.box, many[j]!.box)).toBeLessThanOrEqual(DEFAULT_REGION_SELECTION.maxIou);
  });
});

describe('grouping and non-maximum suppression against brute force', () => {
  const grid = { columns: 9, rows: 7 };
  const randomCells = (next: () => number, count: number): ScoredCell[] => {
    const cells = new Set<number>();
    while (cells.size < count) cells.add(Math.floor(next() * grid.columns * grid.rows));
    return [...cells].map((cell) => ({ cell, score: next() }));
  };

  /** Components by transitive closure of the 8-neighbour relation (Floyd–Warshall on booleans). */
  function closureGroups(cells: ScoredCell[]): Set<string> {
    const n = cells.length;
    const linked = Array.from({ length: n }, (_, i) =>
      Array.from({ length: n }, (_, j) => {
        const [a, b] = [cells[i]!.cell, cells[j]!.cell];
        return (
          i === j || (Math.abs((a % grid.columns) - (b % grid.columns)) <= 1 && Math.abs(Math.floor(a / grid.columns) - Math.floor(b / grid.columns)) <= 1)
        );
      }),
    );
    for (let k = 0; k < n; k++) for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (linked[i]![k] && linked[k]![j]) linked[i]![j] = true;
    return new Set(linked.map((row) => row.flatMap((on, j) => (on ? [j] : [])).join(',')));
  }

  it('merges exactly the touching tiles', () => {
    const next = seededRandom(7);
    for (let trial = 0; trial < 60; trial++) {
      const cells = randomCells(next, 1 + Math.floor(next() * 30));
      const groups = new Set(touchingGroups(grid, cells).map((group) => [...group].sort((a, b) => a - b).join(',')));
      expect(groups).toEqual(closureGroups(cells));
    }
  });

  it('cuts groups into squares of at most maxSide tiles, every chosen tile in exactly one region', () => {
    const next = seededRandom(11);
    for (let trial = 0; trial < 60; trial++) {
      const cells = randomCells(next, 1 + Math.floor(next() * 30));
      const maxSide = 1 + Math.floor(next() * 3);
      const regions = groupTiles(grid, cells, maxSide);
      for (const { box } of regions) {
        expect(box.lastColumn - box.firstColumn).toBeLessThan(maxSide);
        expect(box.lastRow - box.firstRow).toBeLessThan(maxSide);
      }
      expect(regions.reduce((sum, region) => sum + region.tileCount, 0)).toBe(cells.length);
      for (const { cell } of cells) {
        const column = cell % grid.columns;
        const row = Math.floor(cell / grid.columns);
        const holders = regions.filter(({ box }) => column >= box.firstColumn && column <= box.lastColumn && row >= box.firstRow && row <= box.lastRow);
        expect(holders.length).toBeGreaterThanOrEqual(1);
      }
      expect(regions.map((region) => region.score)).toEqual([...regions.map((region) => region.score)].sort((a, b) => b - a));
    }
  });

  it('keeps the one set NMS defines: a box is kept exactly when no better kept box overlaps it too much', () => {
    const next = seededRandom(13);
    for (let trial = 0; trial < 40; trial++) {
      const n = 1 + Math.floor(next() * 9);
      const boxes = Array.from({ length: n }, (_, id) => {
        const firstColumn = Math.floor(next() * 6);
        const firstRow = Math.floor(next() * 5);
        return {
          id,
          score: next(),
          box: { firstColumn, firstRow, lastColumn: firstColumn + Math.floor(next() * 3), lastRow: firstRow + Math.floor(next() * 3) },
        };
      });
      const maxIou = 0.1 + next() * 0.5;
      // Every subset that is its own fixed point of the rule; there must be exactly one.
      const fixedPoints: string[] = [];
      for (let mask = 0; mask < 1 << n; mask++) {
        const inSet = (i: number) => (mask & (1 << i)) !== 0;
        const consistent = boxes.every((candidate, i) => {
          const blocked = boxes.some((other, j) => inSet(j) && other.score > candidate.score && intersectionOverUnion(candidate.box, other.box) > maxIou);
          return inSet(i) === !blocked;
        });
        if (consistent)
          fixedPoints.push(
            boxes
              .filter((_, i) => inSet(i))
              .map((box) => box.id)
              .sort()
              .join(','),
          );
      }
      expect(fixedPoints).toHaveLength(1);
      expect(
        nonMaximumSuppression(boxes, maxIou)
          .map((box) => box.id)
          .sort()
          .join(','),
      ).toBe(fixedPoints[0]);
    }
  });
});

describe('token budget', () => {
  const golden = JSON.parse(readFileSync('tests/fixtures/patho-r1-multi-image/golden.json', 'utf8')) as {
    cases: { images: { width: number; height: number }[]; image_grid_thw: number[][]; input_ids: number[]; prompt: string }[];
  };
  const tinyLimits = { minPixels: 3136, maxPixels: 50176 };

  it("counts image tokens as PyTorch's processor does (the golden grids) and over-counts the text", () => {
    for (const goldenCase of golden.cases) {
      goldenCase.images.forEach((image, k) => {
        const [t, h, w] = goldenCase.image_grid_thw[k]!;
        expect(qwenImageTokens(image.width, image.height, tinyLimits)).toBe((t! * h! * w!) / 4);
      });
      const imageTokens = goldenCase.image_grid_thw.reduce((sum, [t, h, w]) => sum + (t! * h! * w!) / 4, 0);
      const textTokens = goldenCase.input_ids.length - imageTokens;
      const text = goldenCase.prompt.replace(/<\|image_pad\|>/g, '');
      expect(estimateTextTokens(text)).toBeGreaterThanOrEqual(textTokens);
    }
    // Qwen2.5-VL's real limits: 1280 tokens at most per image.
    expect(qwenImageTokens(4000, 3000, { minPixels: 3136, maxPixels: 1_003_520 })).toBeLessThanOrEqual(1280);
  });

  /** Cost of reading every rect at one magnification, computed directly (no planner code but the region plan). */
  function directCost(input: BudgetInput, magnification: number): number {
    return input.regions.reduce((sum, { rect }) => {
      const read = planRegionRead({ width: rect.width, height: rect.height, slideMpp: input.slideMpp, magnification, maxPixels: input.limits.maxPixels });
      if (!read.ok) throw new Error(read.reason);
      const size = (side: number) => Math.max(QWEN_TOKEN_SIDE, Math.round(side / QWEN_TOKEN_SIDE) * QWEN_TOKEN_SIDE);
      const resized = size(read.outputWidth) * size(read.outputHeight);
      // Within limits the processor rounds each side to 28; past max pixels, use the app's count (checked above against PyTorch).
      const tokens =
        resized <= input.limits.maxPixels && resized >= input.limits.minPixels
          ? resized / QWEN_TOKEN_SIDE ** 2
          : qwenImageTokens(read.outputWidth, read.outputHeight, input.limits);
      return sum + tokens + REGION_SLOT_TOKENS;
    }, input.textTokens);
  }

  it('takes the highest magnification at which every region fits; past that, fewer regions; never over budget', () => {
    const next = seededRandom(17);
    const limits = { minPixels: 3136, maxPixels: 1_003_520 };
    for (let trial = 0; trial < 80; trial++) {
      const regions = Array.from({ length: 1 + Math.floor(next() * 6) }, () => ({
        rect: {
          x: Math.floor(next() * 40_000),
          y: Math.floor(next() * 40_000),
          width: 448 + Math.floor(next() * 3000),
          height: 448 + Math.floor(next() * 3000),
        },
        score: next(),
      }));
      const input: BudgetInput = {
        regions,
        slideMpp: 0.25,
        magnification: 20,
        minMagnification: 5,
        limits,
        tokenBudget: 300 + Math.floor(next() * 8000),
        textTokens: 60,
      };
      const plan = planRegionBudget(input);
      if (!plan.ok) {
        expect(plan.reason).toMatch(/raise/);
        continue;
      }
      expect(plan.promptTokens).toBeLessThanOrEqual(input.tokenBudget);
      const recount = input.textTokens + plan.regions.reduce((sum, region) => sum + region.read.tokens + REGION_SLOT_TOKENS, 0);
      expect(plan.promptTokens).toBe(recount);
      const fitting = magnificationLadder(20, 5).filter((magnification) => directCost(input, magnification) <= input.tokenBudget);
      if (fitting.length > 0) {
        expect(plan.merged + plan.dropped).toBe(0);
        expect(plan.magnification).toBe(fitting[0]);
        expect(plan.regions.map((region) => region.rect)).toEqual(regions.map((region) => region.rect));
        expect(plan.note === null).toBe(fitting[0] === 20);
      } else {
        expect(plan.regions.length).toBeLessThan(regions.length);
        expect(plan.note).toMatch(/do not fit in .* tokens at 20x, so Patho-R1 sees \d+ /);
        // Every original region is covered by a planned one, or was left out (counted).
        const covered = new Set(plan.regions.flatMap((region) => region.sources));
        expect(regions.length - covered.size).toBe(plan.dropped);
        for (const region of plan.regions) {
          for (const source of region.sources) {
            const inner = regions[source]!.rect;
            expect(
              inner.x >= region.rect.x &&
                inner.y >= region.rect.y &&
                inner.x + inner.width <= region.rect.x + region.rect.width &&
                inner.y + inner.height <= region.rect.y + region.rect.height,
            ).toBe(true);
          }
        }
      }
    }
  });

  it('merges two neighbouring regions into one larger, lower-magnification region and says so', () => {
    const regions = [
      { rect: { x: 0, y: 0, width: 2000, height: 2000 }, score: 3 },
      { rect: { x: 2000, y: 0, width: 2000, height: 2000 }, score: 2 },
    ];
    // At 5x each alone is 500 x 500 px (324 tokens): too many for 152 image tokens, so they become one region read smaller.
    const plan = planRegionBudget({
      regions,
      slideMpp: 0.25,
      magnification: 20,
      minMagnification: 5,
      limits: { minPixels: 3136, maxPixels: 1_003_520 },
      tokenBudget: 200,
      textTokens: 40,
    });
    expect(plan.ok).toBe(true);
    if (!plan.ok) return;
    expect(plan.regions).toHaveLength(1);
    expect(plan.regions[0]!.rect).toEqual({ x: 0, y: 0, width: 4000, height: 2000 });
    expect(plan.regions[0]!.sources).toEqual([0, 1]);
    expect(plan.merged).toBe(1);
    expect(plan.promptTokens).toBeLessThanOrEqual(200);
    expect(plan.note).toBe(
      'The 2 regions found do not fit in 200 tokens at 20x, so Patho-R1 sees 1 larger region at 4.88x (1 merge of neighbouring regions). Raise the token budget to see more.',
    );
  });

  it('refuses, in a sentence, a budget that cannot hold the question and one region', () => {
    const plan = planRegionBudget({
      regions: [{ rect: { x: 0, y: 0, width: 500, height: 500 }, score: 1 }],
      slideMpp: 0.25,
      magnification: 20,
      minMagnification: 5,
      limits: tinyLimits,
      tokenBudget: 50,
      textTokens: 60,
    });
    expect(plan).toEqual({ ok: false, reason: 'A budget of 50 tokens cannot hold the question (about 60 tokens) and one region: raise it to at least 72.' });
  });
});
