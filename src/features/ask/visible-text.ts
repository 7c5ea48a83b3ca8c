/**
 * What of the model's text a reader sees: special tokens (`<|im_end|>`, `<|fim_suffix|>` …) and the replacement
 * character U+FFFD (half of a multi-byte character cut by streaming) are never shown.
 */
const SPECIAL_TOKEN = /<\|[^|<>\s]{1,40}\|>/g;

export function visibleModelText(text: string): string {
  return text.replace(SPECIAL_TOKEN, '').replaceAll('\uFFFD', '');
}
