/**
 * Test helpers: read the logits a transformers.js model's decoder returns (float32 or float16) and compare them.
 */

interface OrtTensorLike {
  type: string;
  data: ArrayLike<number>;
  dims: readonly number[];
}
type Session = { run(feeds: Record<string, unknown>, ...rest: unknown[]): Promise<Record<string, OrtTensorLike>> };

/** IEEE 754 half -> number (onnxruntime-node hands float16 data out as raw 16-bit words). */
function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? Number.NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** The last position's logits of a decoder output [1, S, V], as float32. */
export function lastPositionLogits(tensor: OrtTensorLike): Float32Array {
  const vocab = tensor.dims.at(-1)!;
  const start = tensor.data.length - vocab;
  const out = new Float32Array(vocab);
  const isHalfWords = tensor.type === 'float16' && !(tensor.data instanceof Float32Array) && !isFloat16Array(tensor.data);
  for (let index = 0; index < vocab; index++) {
    const value = tensor.data[start + index]!;
    out[index] = isHalfWords ? halfToNumber(value) : value;
  }
  return out;
}

function isFloat16Array(data: unknown): boolean {
  return (data as { constructor?: { name?: string } }).constructor?.name === 'Float16Array';
}

/** Runs `run` and returns the last-position logits of the first decoder call (the prompt step). */
export async function recordFirstStepLogits(model: unknown, run: () => Promise<unknown>): Promise<Float32Array> {
  const session = (model as { sessions: Record<string, Session> }).sessions.decoder_model_merged!;
  const original = session.run.bind(session);
  let first: Float32Array | null = null;
  session.run = async (feeds, ...rest) => {
    const outputs = await original(feeds, ...rest);
    first ??= lastPositionLogits(outputs.logits!);
    return outputs;
  };
  try {
    await run();
  } finally {
    session.run = original;
  }
  if (!first) throw new Error('the decoder never ran');
  return first;
}

export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let index = 0; index < a.length; index++) {
    dot += a[index]! * b[index]!;
    na += a[index]! * a[index]!;
    nb += b[index]! * b[index]!;
  }
  return dot / Math.sqrt(na * nb);
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let max = 0;
  for (let index = 0; index < a.length; index++) max = Math.max(max, Math.abs(a[index]! - b[index]!));
  return max;
}
