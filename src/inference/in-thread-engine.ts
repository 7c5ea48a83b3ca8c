/**
 * A PathoR1Engine that runs the runtime in the calling thread: inside the inference worker, and directly in
 * Node (tests, the eval CLI, benchmarks), which have no worker to hide behind.
 */
import type { GenerationOutcome, PathoR1Engine, PathoR1GenerateCallbacks, PathoR1GenerateRequest } from './patho-r1-engine';
import { TokenClock } from './patho-r1-engine';
import type { PathoR1Runtime } from './patho-r1-runtime';

/** Streams one answer through `runtime`, timing its tokens. `stopRequested` is polled once per token. */
export async function generateInThread(
  runtime: PathoR1Runtime,
  request: PathoR1GenerateRequest,
  callbacks: PathoR1GenerateCallbacks = {},
  interruption: { stopRequested?: () => boolean; yieldBetweenRuns?: boolean } = {},
): Promise<GenerationOutcome> {
  const clock = new TokenClock();
  const result = await runtime.generate({
    messages: request.messages,
    images: request.images,
    settings: request.settings,
    ...(request.conversation ? { conversation: request.conversation } : {}),
    ...(callbacks.signal ? { signal: callbacks.signal } : {}),
    ...interruption,
    onText: (text) => callbacks.onText?.(text),
    onToken: () => {
      clock.tick();
      callbacks.onToken?.(clock.count);
    },
  });
  return {
    newTokenIds: result.newTokenIds,
    text: result.text,
    stopped: result.stopped,
    stats: {
      ...clock.stats(result.promptTokens, result.reusedTokens),
      phases: result.phases,
      ...(result.imagePreRead && { imagePreRead: true }),
      ...(result.prefixPreReadTokens > 0 && { prefixPreReadTokens: result.prefixPreReadTokens }),
    },
  };
}

export class InThreadPathoR1Engine implements PathoR1Engine {
  constructor(readonly runtime: PathoR1Runtime) {}

  generate(request: PathoR1GenerateRequest, callbacks?: PathoR1GenerateCallbacks): Promise<GenerationOutcome> {
    return generateInThread(this.runtime, request, callbacks);
  }
}
