/**
 * What PathoCLIP is asked when the question is about the whole slide: the question itself and each MCQ option
 * (an option such as "Adenocarcinoma" names what to look for better than the question does). Each query's scores
 * are standardised before they are combined, so a query whose cosines all sit higher does not drown the others,
 * and a tile is as good as its best query. Pure.
 */

/** The text queries for `question` and its `options`: trimmed, blanks and repeats left out, question first. */
export function slideQueries(question: string, options: readonly string[]): string[] {
  const queries: string[] = [];
  const seen = new Set<string>();
  for (const text of [question, ...options]) {
    const query = text.replace(/\s+/g, ' ').trim();
    const key = query.toLowerCase();
    if (!query || seen.has(key)) continue;
    seen.add(key);
    queries.push(query);
  }
  return queries;
}

export interface CombinedScores {
  /** Per tile: the highest standardised score over the queries. */
  scores: Float32Array;
  /** Per tile: which query gave that score (position in the query list). */
  bestQuery: Uint16Array;
}

/** (score - mean) / standard deviation of one query over all tiles; all zeros when every tile scores the same. */
export function standardized(scores: Float32Array): Float32Array {
  let sum = 0;
  for (const score of scores) sum += score;
  const mean = scores.length === 0 ? 0 : sum / scores.length;
  let squares = 0;
  for (const score of scores) squares += (score - mean) ** 2;
  const deviation = scores.length === 0 ? 0 : Math.sqrt(squares / scores.length);
  return deviation > 1e-9 ? scores.map((score) => (score - mean) / deviation) : new Float32Array(scores.length);
}

export function combineQueryScores(perQuery: readonly Float32Array[]): CombinedScores {
  if (perQuery.length === 0) throw new RangeError('There is no query to combine.');
  const tiles = perQuery[0]!.length;
  if (perQuery.some((scores) => scores.length !== tiles)) throw new RangeError('Every query must score the same tiles.');
  const scores = new Float32Array(tiles).fill(-Infinity);
  const bestQuery = new Uint16Array(tiles);
  perQuery.forEach((raw, query) => {
    const z = standardized(raw);
    for (let tile = 0; tile < tiles; tile++) {
      if (z[tile]! > scores[tile]!) {
        scores[tile] = z[tile]!;
        bestQuery[tile] = query;
      }
    }
  });
  return { scores, bestQuery };
}
