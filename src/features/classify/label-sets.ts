/**
 * Zero-shot label sets in the format PathoCLIP's own zero-shot evaluation uses:
 * `{"classnames": [["synonym", ...], ...], "templates": ["a photo of CLASSNAME.", ...]}`. A class's text
 * embedding is the mean over its synonyms x templates. Imported files are untrusted: every problem is a
 * sentence naming the item.
 */
export interface LabelSet {
  id: string;
  name: string;
  /** One list of synonyms per class; the first synonym names the class. */
  classnames: string[][];
  /** Prompt templates with a CLASSNAME placeholder. */
  templates: string[];
  /** Built-in presets cannot be edited or deleted (a copy can). */
  builtIn?: boolean;
}

export const CLASSNAME_PLACEHOLDER = 'CLASSNAME';

const PATHOLOGY_TEMPLATES = ['an H&E image of CLASSNAME.', 'a histopathology image of CLASSNAME.', 'CLASSNAME.', 'a photomicrograph of CLASSNAME.'];

/** Presets for common tasks, so a new user (or a kiosk) can classify at once. */
export const PRESET_LABEL_SETS: readonly LabelSet[] = [
  {
    id: 'preset:lung',
    name: 'Lung tissue',
    classnames: [
      ['lung adenocarcinoma', 'adenocarcinoma of the lung'],
      ['lung squamous cell carcinoma', 'squamous cell carcinoma of the lung'],
      ['benign lung tissue', 'normal lung parenchyma'],
    ],
    templates: PATHOLOGY_TEMPLATES,
    builtIn: true,
  },
  {
    id: 'preset:colon',
    name: 'Colon',
    classnames: [
      ['colon adenocarcinoma', 'colorectal adenocarcinoma'],
      ['benign colonic tissue', 'normal colonic mucosa'],
    ],
    templates: PATHOLOGY_TEMPLATES,
    builtIn: true,
  },
  {
    id: 'preset:tumour-normal',
    name: 'Tumour vs normal',
    classnames: [
      ['tumor', 'tumour', 'malignant tissue'],
      ['normal tissue', 'benign tissue'],
    ],
    templates: PATHOLOGY_TEMPLATES,
    builtIn: true,
  },
];

/** Limits that keep an imported file from asking for millions of text embeddings. */
export const LABEL_SET_LIMITS = { classes: 50, synonyms: 20, templates: 50, textLength: 300 } as const;

export class LabelSetError extends Error {
  override name = 'LabelSetError';
}

function cleanText(value: unknown, where: string): string {
  if (typeof value !== 'string') throw new LabelSetError(`${where} is not text.`);
  const text = value.replace(/\s+/g, ' ').trim();
  if (!text) throw new LabelSetError(`${where} is empty.`);
  if (text.length > LABEL_SET_LIMITS.textLength) throw new LabelSetError(`${where} is longer than ${LABEL_SET_LIMITS.textLength} characters.`);
  return text;
}

/** Checks and cleans a label set's classes and templates; throws a LabelSetError sentence. */
export function validateLabelSet(input: { name: unknown; classnames: unknown; templates: unknown }): Pick<LabelSet, 'name' | 'classnames' | 'templates'> {
  const name = cleanText(input.name, 'The label set name');
  if (!Array.isArray(input.classnames)) throw new LabelSetError('"classnames" must be a list of classes, each a list of synonyms.');
  if (input.classnames.length < 2) throw new LabelSetError('A label set needs at least two classes to choose between.');
  if (input.classnames.length > LABEL_SET_LIMITS.classes) throw new LabelSetError(`A label set may have at most ${LABEL_SET_LIMITS.classes} classes.`);
  const classnames = input.classnames.map((synonyms: unknown, index) => {
    const list = typeof synonyms === 'string' ? [synonyms] : synonyms;
    if (!Array.isArray(list) || list.length === 0) throw new LabelSetError(`Class ${index + 1} has no name.`);
    if (list.length > LABEL_SET_LIMITS.synonyms) throw new LabelSetError(`Class ${index + 1} has more than ${LABEL_SET_LIMITS.synonyms} synonyms.`);
    return list.map((synonym: unknown, synonymIndex) => cleanText(synonym, `Synonym ${synonymIndex + 1} of class ${index + 1}`));
  });
  const seen = new Set<string>();
  for (const [first] of classnames) {
    const key = first!.toLowerCase();
    if (seen.has(key)) throw new LabelSetError(`The class "${first}" appears twice.`);
    seen.add(key);
  }
  const templatesInput = input.templates === undefined ? [CLASSNAME_PLACEHOLDER] : input.templates;
  if (!Array.isArray(templatesInput) || templatesInput.length === 0) throw new LabelSetError('"templates" must be a list of prompts containing CLASSNAME.');
  if (templatesInput.length > LABEL_SET_LIMITS.templates) throw new LabelSetError(`A label set may have at most ${LABEL_SET_LIMITS.templates} templates.`);
  const templates = templatesInput.map((template: unknown, index) => {
    const text = cleanText(template, `Template ${index + 1}`);
    if (!text.includes(CLASSNAME_PLACEHOLDER)) throw new LabelSetError(`Template ${index + 1} ("${text}") has no ${CLASSNAME_PLACEHOLDER} placeholder.`);
    return text;
  });
  return { name, classnames, templates };
}

/** Parses an imported label-set JSON (PathoCLIP's zero-shot format, optionally with a "name"). */
/** Largest label-set file imported: real ones are a few kB; anything far bigger is not a label set. */
export const MAX_LABEL_SET_BYTES = 1024 * 1024;

/** A sentence when a label-set file is too large to open, else null. */
export function labelSetFileTooLarge(name: string, bytes: number): string | null {
  if (bytes <= MAX_LABEL_SET_BYTES) return null;
  return `${name} is ${(bytes / 1024 / 1024).toFixed(1)} MB; label sets up to ${MAX_LABEL_SET_BYTES / 1024 / 1024} MB are imported (a label set is a few kB of class names and templates).`;
}

export function parseLabelSetJson(text: string, fallbackName: string, id: string): LabelSet {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new LabelSetError('The file is not JSON: a label set is {"classnames": [["class", "synonym"], ...], "templates": ["... CLASSNAME ..."]}.');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new LabelSetError('The file is not a label set: expected an object with "classnames" and "templates".');
  const record = json as Record<string, unknown>;
  return { id, ...validateLabelSet({ name: record.name ?? fallbackName, classnames: record.classnames, templates: record.templates }) };
}

/** The JSON another PathoLens (or PathoCLIP's evaluation code) imports unchanged. */
export function labelSetJson(labelSet: LabelSet): string {
  return `${JSON.stringify({ name: labelSet.name, classnames: labelSet.classnames, templates: labelSet.templates }, null, 2)}\n`;
}

/** Every prompt of every class: class i's prompts are synonyms x templates, in that order. */
export function classPrompts(labelSet: Pick<LabelSet, 'classnames' | 'templates'>): string[][] {
  return labelSet.classnames.map((synonyms) =>
    synonyms.flatMap((synonym) => labelSet.templates.map((template) => template.split(CLASSNAME_PLACEHOLDER).join(synonym))),
  );
}

/** A stable key of what the text embeddings depend on (classes and templates, not the name). */
export function labelSetKey(labelSet: Pick<LabelSet, 'classnames' | 'templates'>): string {
  return JSON.stringify([labelSet.classnames, labelSet.templates]);
}
