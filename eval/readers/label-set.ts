/**
 * Zero-shot prompts in the two shapes papers publish: PathoCLIP's lists (`{"classnames": [["syn", ...], ...],
 * "templates": [...]}`, the app's own label-set format, class i = the i-th class folder in sorted order, as
 * ImageFolder numbers them) and CONCH's (`{"classnames": {"FOLDER": ["syn", ...]}, "templates": [...]}`,
 * optionally wrapped in `{"0": …}` as CONCH's prompt files are; class = the folder named by the key). Checked
 * and expanded by the Classify feature's own code, so the app and the harness score the same prompts.
 */
import { readFile } from 'node:fs/promises';
import { classPrompts, LabelSetError, validateLabelSet } from '../../src/features/classify/label-sets';
import { DatasetError } from '../items';
import { parseJson } from './pathmmu';

export interface ZeroShotPrompts {
  /** Folder name per class, in class order. */
  folders: string[];
  /** Display name per class (the first synonym). */
  names: string[];
  /** Every prompt per class (synonyms x templates). */
  prompts: string[][];
}

export async function readLabelSet(file: string, sortedFolders: readonly string[]): Promise<ZeroShotPrompts> {
  let json = parseJson(await readFile(file, 'utf8'), file) as Record<string, unknown>;
  if (json && typeof json === 'object' && !('classnames' in json) && typeof json['0'] === 'object') json = json['0'] as Record<string, unknown>;
  if (!json || typeof json !== 'object' || !('classnames' in json)) {
    throw new DatasetError(`${file} is not a label set: expected {"classnames": …, "templates": […]} (PathoCLIP lists or CONCH's object).`);
  }
  const conch = typeof json.classnames === 'object' && json.classnames !== null && !Array.isArray(json.classnames);
  const folders = conch ? Object.keys(json.classnames as object) : [...sortedFolders];
  const classnames = conch ? Object.values(json.classnames as object) : json.classnames;
  // CONCH's templates say CLASSNAME too; the app's check needs it in every template.
  try {
    const labelSet = validateLabelSet({ name: file, classnames, templates: json.templates });
    if (!conch && labelSet.classnames.length !== folders.length) {
      throw new DatasetError(
        `${file} lists ${labelSet.classnames.length} classes but the data has ${folders.length} class folders; list one class per folder, in sorted folder order, or use CONCH's {"classnames": {"FOLDER": [...]}} shape.`,
      );
    }
    return { folders, names: labelSet.classnames.map((synonyms) => synonyms[0] as string), prompts: classPrompts(labelSet) };
  } catch (error) {
    if (error instanceof LabelSetError) throw new DatasetError(`${file}: ${error.message}`);
    throw error;
  }
}
