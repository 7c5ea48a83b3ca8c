/**
 * Which option a Patho-R1 reply chose in a multiple-choice question. One function for the Practice tab and the
 * evaluation harness, so a trainee's "the model chose B" and a benchmark's accuracy never disagree.
 *
 * Order (the harness's published rule): the letter in `<answer>`, else the first standalone option letter, else the
 * option text matched. Unlike PathMMU's official script, nothing is ever guessed: a reply that names several
 * options is `ambiguous`, one that names none is `unparsed`, and both count as wrong.
 */
import { optionLetter } from './patho-r1-prompt';
import { ThinkAnswerStream } from './think-answer-stream';

/** How the choice was read: an explicit letter, a bare letter in free text, or the option's own words. */
export type McqChoiceSource = 'answer-letter' | 'standalone-letter' | 'option-text';

export type McqExtraction =
  | { status: 'chosen'; index: number; letter: string; source: McqChoiceSource }
  | { status: 'ambiguous'; letters: string[]; source: McqChoiceSource }
  | { status: 'unparsed' };

/** Markdown emphasis and code marks models wrap answers in ("**B**", "`B`"). */
const MARKUP = /[*_`#]/g;

/** "B", "(B)", "B.", "b)" — the whole answer is one letter. */
const WHOLE_LETTER = /^[([]?([A-Za-z])[)\].:]?$/;
/** "B. Adenocarcinoma", "(B) …", "B) …", "B - …", "B: …" at the start of the answer. */
const LEADING_LETTER = /^[([]?([A-Z])(?:[)\].:]|\s+[-–—])(?:\s|$)/;
/** "The answer is B", "Answer: (C)", "option D", "choice: A". The letter must be upper case here ("answer is a …"). */
const PHRASED_LETTER = /(?:[Aa]nswer|ANSWER|[Oo]ption|OPTION|[Cc]hoice|CHOICE)\s*(?:is|IS|:|=)?\s*(?:[Oo]ption\s*)?[([]?([A-Z])(?![A-Za-z0-9])/g;
/** A capital letter standing alone ("…so B.", "→ C"), not part of a word or an abbreviation like "H&E". */
const STANDALONE_LETTER = /(?<![A-Za-z0-9&'’])([A-Z])(?![A-Za-z0-9&'’-])/g;
/**
 * "A tumour…", "I think…": A and I followed by a lower-case word are words, not option letters — unless that word
 * joins or judges options ("A or C", "A is correct").
 */
const ARTICLE_OR_PRONOUN = /^\s+(?!(?:or|and|nor|vs|versus|is|was|seems|fits|best)\b)[a-z]/;

/**
 * Reads the chosen option from a full reply (with or without `<think>`/`<answer>` tags). `options` are the option
 * texts in order (A, B, C…); letters beyond them are not options and are ignored.
 */
export function extractMcqChoice(reply: string, options: readonly string[]): McqExtraction {
  if (options.length === 0) throw new RangeError('An MCQ needs at least one option to read a choice from.');
  const parsed = new ThinkAnswerStream();
  parsed.push(reply.normalize('NFKC'));
  const snapshot = parsed.finish();
  // Reasoning weighs options it then rejects: only the answer (or, untagged, the text outside <think>) counts.
  const fromAnswerTag = snapshot.answers.some((block) => block.length > 0);
  const region = fromAnswerTag ? snapshot.answer : snapshot.untagged;
  const validLetters = new Set(options.map((_, index) => optionLetter(index)));
  const text = region.replace(MARKUP, '').trim();
  if (!text) return { status: 'unparsed' };

  const explicit = explicitLetters(text, validLetters);
  if (explicit.length > 0) return decide(explicit, 'answer-letter');

  const standalone = standaloneLetters(text, validLetters);
  if (standalone.length > 0) {
    // An answer block that names two options is ambiguous; free text follows the "first letter" convention.
    return fromAnswerTag ? decide(standalone, 'standalone-letter') : decide(standalone.slice(0, 1), 'standalone-letter');
  }

  const matched = optionsNamedIn(text, options);
  if (matched.length > 0) return decide(matched, 'option-text');
  return { status: 'unparsed' };
}

/** True only for a single chosen option equal to the key; ambiguous and unparsed replies are wrong. */
export function isCorrectChoice(extraction: McqExtraction, answerIndex: number): boolean {
  return extraction.status === 'chosen' && extraction.index === answerIndex;
}

function decide(letters: readonly string[], source: McqChoiceSource): McqExtraction {
  const distinct = [...new Set(letters)];
  if (distinct.length > 1) return { status: 'ambiguous', letters: distinct.sort(), source };
  const letter = distinct[0] as string;
  return { status: 'chosen', letter, index: letter.charCodeAt(0) - 65, source };
}

function explicitLetters(text: string, valid: ReadonlySet<string>): string[] {
  const whole = WHOLE_LETTER.exec(text.replace(/\.$/, '').trim());
  if (whole) {
    const letter = (whole[1] as string).toUpperCase();
    return valid.has(letter) ? [letter] : [];
  }
  const found: string[] = [];
  const leading = LEADING_LETTER.exec(text);
  if (leading && valid.has(leading[1] as string)) found.push(leading[1] as string);
  for (const match of text.matchAll(PHRASED_LETTER)) {
    if (valid.has(match[1] as string)) found.push(match[1] as string);
  }
  return found;
}

function standaloneLetters(text: string, valid: ReadonlySet<string>): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(STANDALONE_LETTER)) {
    const letter = match[1] as string;
    if (!valid.has(letter)) continue;
    const after = text.slice((match.index ?? 0) + 1);
    if ((letter === 'A' || letter === 'I') && ARTICLE_OR_PRONOUN.test(after)) continue;
    found.push(letter);
  }
  return found;
}

/** Lower case, letters and digits only, single spaces: "Squamous-cell  carcinoma." → "squamous cell carcinoma". */
function words(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** Options whose full text appears in the answer as whole words; an option inside a longer named one is dropped. */
function optionsNamedIn(text: string, options: readonly string[]): string[] {
  const haystack = ` ${words(text)} `;
  const named = options
    .map((option, index) => ({ index, needle: words(option) }))
    .filter(({ needle }) => needle.length > 0 && haystack.includes(` ${needle} `));
  return named.filter(({ needle }) => !named.some((other) => other.needle !== needle && other.needle.includes(needle))).map(({ index }) => optionLetter(index));
}
