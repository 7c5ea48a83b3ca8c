/**
 * The DICOMweb server's own floor for the tiles-dicom benchmark: the same level-0 frames fetched from it with
 * Node's fetch, batched as PathoLens batches them (planFrameRequests, MAX_REQUESTS_IN_FLIGHT), bodies read and
 * dropped, nothing decoded. PathoLens in Chromium cannot beat this; the gap to it is the page's own cost.
 */
import { MAX_REQUESTS_IN_FLIGHT, planFrameRequests } from '../../src/slide/dicom/frame-batcher';

const FRAME_ACCEPT = 'multipart/related; type="application/octet-stream"; transfer-syntax=*';

export interface FloorRun {
  framesPerRequest: string;
  inFlight: number;
  /** Tiles per second in each round. */
  tilesPerSecond: number[];
  requests: number;
  msPerRequest: number;
}

/** The level-0 instance's URL in a series (the instance with the most frames). */
export async function largestInstanceUrl(seriesUrl: string): Promise<string> {
  const response = await fetch(`${seriesUrl}/metadata`, { headers: { Accept: 'application/dicom+json' } });
  const metadata = (await response.json()) as Record<string, { Value?: (string | number)[] }>[];
  const frames = (instance: (typeof metadata)[number]) => Number(instance['00280008']?.Value?.[0] ?? 1);
  const largest = metadata.reduce((a, b) => (frames(b) > frames(a) ? b : a));
  return `${seriesUrl}/instances/${String(largest['00080018']!.Value![0])}`;
}

/**
 * Fetches `frames` (1-based) of `instanceUrl` in rounds: `plan` splits them into requests, `inFlight` at once.
 * Defaults to PathoLens' own batching; 30 frames first as a warm-up, as in the page.
 */
export async function measureFloor(
  instanceUrl: string,
  frames: number[],
  plan: (frames: number[]) => number[][] = planFrameRequests,
  inFlight = MAX_REQUESTS_IN_FLIGHT,
  rounds = 2,
): Promise<FloorRun> {
  const fetchAll = async (batches: number[][]) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(inFlight, batches.length) }, async () => {
        while (next < batches.length) {
          const batch = batches[next++]!;
          const response = await fetch(`${instanceUrl}/frames/${batch.join(',')}`, { headers: { Accept: FRAME_ACCEPT } });
          if (!response.ok) throw new Error(`the server answered ${response.status} for frames ${batch.join(',')}`);
          await response.arrayBuffer();
        }
      }),
    );
  };
  await fetchAll(plan(frames.slice(0, 30)));
  const batches = plan(frames);
  const tilesPerSecond: number[] = [];
  let totalMs = 0;
  for (let round = 0; round < rounds; round++) {
    const start = performance.now();
    await fetchAll(batches);
    const ms = performance.now() - start;
    totalMs += ms;
    tilesPerSecond.push(frames.length / (ms / 1000));
  }
  const sizes = [...new Set(batches.map((batch) => batch.length))].join('/');
  return {
    framesPerRequest: sizes,
    inFlight,
    tilesPerSecond,
    requests: batches.length,
    msPerRequest: (totalMs / rounds / batches.length) * Math.min(inFlight, batches.length),
  };
}

/** The batching before 2026-11-29: lists of up to 24 frames, all sent at once (Chromium keeps 6 in flight). */
export function oldPlan(frames: number[]): number[][] {
  const sorted = [...new Set(frames)].sort((a, b) => a - b);
  const batches: number[][] = [];
  for (let i = 0; i < sorted.length; i += 24) batches.push(sorted.slice(i, i + 24));
  return batches;
}
