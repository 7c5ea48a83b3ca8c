/**
 * The body of an OpenAI chat-completions request for one Patho-R1 answer: the same messages the local model gets
 * (system prompt, image slots, "A. …" options), each image slot filled with the next region as a PNG data URL, and
 * the Ask panel's sampling settings under the names vLLM, SGLang and `transformers serve` read.
 */
import type { GenerationSettings } from '../generation-settings';
import type { PathoR1GenerateRequest } from '../patho-r1-engine';
import type { ChatMessage } from '../patho-r1-prompt';
import { InferenceError } from '../inference-error';
import { regionDataUrl } from './png-data-url';

type OpenAiContentPart = { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } };

export interface OpenAiChatMessage {
  role: ChatMessage['role'];
  /** System and assistant turns as plain strings (what every server accepts); user turns as parts. */
  content: string | OpenAiContentPart[];
}

export interface OpenAiChatRequest {
  model: string;
  messages: OpenAiChatMessage[];
  stream: boolean;
  max_tokens: number;
  temperature: number;
  top_p?: number;
  top_k?: number;
  repetition_penalty?: number;
  stream_options?: { include_usage: boolean };
}

export function toOpenAiMessages(messages: readonly ChatMessage[], imageUrls: readonly string[]): OpenAiChatMessage[] {
  let nextImage = 0;
  const converted = messages.map((message): OpenAiChatMessage => {
    if (message.role !== 'user') {
      return { role: message.role, content: message.content.map((part) => (part.type === 'text' ? part.text : '')).join('') };
    }
    const content = message.content.map((part): OpenAiContentPart => {
      if (part.type === 'text') return { type: 'text', text: part.text };
      const url = imageUrls[nextImage++];
      if (url === undefined) throw new InferenceError('bad-request', 'The question has more image slots than images');
      return { type: 'image_url', image_url: { url } };
    });
    return { role: 'user', content };
  });
  if (nextImage !== imageUrls.length) throw new InferenceError('bad-request', `The question has ${nextImage} image slots but ${imageUrls.length} images`);
  return converted;
}

/**
 * Greedy stays greedy (temperature 0); sampling passes the settings the local model would use. `minNewTokens` (a
 * test setting) is not sent: `transformers serve` refuses the non-standard `min_tokens` field with a 422.
 */
export function samplingFields(settings: GenerationSettings): Pick<OpenAiChatRequest, 'max_tokens' | 'temperature' | 'top_p' | 'top_k' | 'repetition_penalty'> {
  const fields: ReturnType<typeof samplingFields> = { max_tokens: settings.maxNewTokens, temperature: settings.sample ? settings.temperature : 0 };
  if (settings.sample) {
    fields.top_p = settings.topP;
    if (settings.topK > 0) fields.top_k = settings.topK;
  }
  if (settings.repetitionPenalty !== 1) fields.repetition_penalty = settings.repetitionPenalty;
  return fields;
}

/** The request body; a follow-up about the same region reuses the last region's encoding (regionDataUrl). */
export async function buildChatRequest(model: string, request: PathoR1GenerateRequest, stream: boolean): Promise<OpenAiChatRequest> {
  const body: OpenAiChatRequest = {
    model,
    messages: toOpenAiMessages(request.messages, await Promise.all(request.images.map(regionDataUrl))),
    stream,
    ...samplingFields(request.settings),
  };
  if (stream) body.stream_options = { include_usage: true };
  return body;
}
