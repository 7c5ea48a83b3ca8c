/**
 * Failures of model loading and inference as types, so that callers branch on `kind` instead of matching
 * message text, and so that the kind survives the worker boundary (errors are sent as plain data).
 */
export type InferenceErrorKind =
  /** The model folder, its manifest or its files are missing, damaged or of another kind. */
  | 'model-files'
  /** Loading was cancelled by the user. */
  | 'cancelled'
  /** A generate request came before any model was loaded. */
  | 'not-loaded'
  /** The request itself is wrong (image slots and images disagree, several images, …). */
  | 'bad-request'
  /** The worker died (out of memory, a crash in ONNX Runtime); the model must be loaded again. */
  | 'worker-crashed'
  /** The model was unloaded while a request was pending. */
  | 'unloaded'
  /** A remote server could not be reached, or the browser refused the answer (CORS, the page's CSP). */
  | 'remote-unreachable'
  /** A remote server refused the API key (401/403). */
  | 'remote-auth'
  /** A remote server does not serve the model named (404, or an unknown-model error). */
  | 'remote-model'
  /** A remote server is busy (429); the message says when to retry. */
  | 'remote-rate-limit'
  /** A remote server gave no answer, or stopped sending, for longer than the timeout. */
  | 'remote-timeout'
  /** A remote server's answer stopped in the middle (connection closed or an error event); the text so far is kept. */
  | 'remote-stream-cut'
  /** A remote server answered with another error (500, a malformed body). */
  | 'remote-server'
  /** Anything else thrown while loading or generating. */
  | 'runtime';

export class InferenceError extends Error {
  constructor(
    readonly kind: InferenceErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'InferenceError';
  }
}

/** What crosses the worker boundary for an error. */
export interface SerializedInferenceError {
  kind: InferenceErrorKind;
  message: string;
}

export function serializeInferenceError(error: unknown, fallbackKind: InferenceErrorKind, describe: (error: unknown) => string): SerializedInferenceError {
  return { kind: error instanceof InferenceError ? error.kind : fallbackKind, message: describe(error) };
}

export function deserializeInferenceError(error: SerializedInferenceError): InferenceError {
  return new InferenceError(error.kind, error.message);
}
