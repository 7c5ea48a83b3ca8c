/**
 * Zero-shot datasets in torchvision's ImageFolder layout (LC25000, CRC-100K as distributed): ROOT/CLASS/image.
 * Classes are the folder names; images are listed in name order so ids are stable.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { DatasetError, type LabelledImage } from '../items';

const IMAGE_FILE = /\.(?:png|jpe?g|tiff?|bmp|webp)$/i;

/** The class folders, sorted as ImageFolder sorts them (code-point order). */
export async function imageFolderClasses(root: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch {
    throw new DatasetError(`${root} is not a readable folder: zero-shot data is an ImageFolder (one subfolder of images per class).`);
  }
  const classes = entries
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
    .map((entry) => entry.name)
    .sort();
  if (classes.length < 2) throw new DatasetError(`${root} has ${classes.length} class folder(s): an ImageFolder needs one subfolder per class, at least two.`);
  return classes;
}

/** Every image, labelled with the index its folder has in `classOrder` (the label set's class order). */
export async function readImageFolder(root: string, classOrder: readonly string[]): Promise<LabelledImage[]> {
  const folders = await imageFolderClasses(root);
  const items: LabelledImage[] = [];
  for (const folder of folders) {
    const label = classOrder.indexOf(folder);
    if (label < 0) throw new DatasetError(`The folder "${folder}" is not a class of the label set (classes: ${classOrder.join(', ')}).`);
    const files = (await readdir(path.join(root, folder))).filter((name) => IMAGE_FILE.test(name)).sort();
    for (const name of files) items.push({ id: `${folder}/${name}`, label, image: { kind: 'file', path: path.join(root, folder, name) } });
  }
  return items;
}
