/** A stand-in PathoCLIP for logic tests: fast, deterministic, and checkable by hand. */
import type { PathoClipEngine } from '../../../src/inference/pathoclip-engine';
import type { RgbaImage } from '../../../src/slide/slide-source';

/** A stand-in model: the embedding of an image is its normalised mean colour (plus a constant), so tests can check it. */
export function colourEngine(imageSize = 32, modelKey = 'colour:fp32/fp32'): PathoClipEngine & { batches: number[]; sizes: string[] } {
  const batches: number[] = [];
  const sizes: string[] = [];
  const embed = (image: RgbaImage) => {
    const sums = [0, 0, 0];
    for (let i = 0; i < image.data.length; i += 4) for (let c = 0; c < 3; c++) sums[c]! += image.data[i + c]!;
    const vector = Float32Array.from([...sums.map((s) => s / (image.width * image.height * 255)), 0.5]);
    const norm = Math.hypot(...vector);
    return vector.map((v) => v / norm);
  };
  return {
    batches,
    sizes,
    info: { embedDim: 4, imageSize, logitScale: 100, logitBias: null, imageDtype: 'fp32', textDtype: 'fp32', modelKey },
    async embedImages(images, signal) {
      signal?.throwIfAborted();
      batches.push(images.length);
      for (const image of images) sizes.push(`${image.width}x${image.height}`);
      return images.map(embed);
    },
    /** A text means a colour: "red", "blue", anything else the glass direction. */
    async embedTexts(texts) {
      const directions: Record<string, number[]> = { red: [1, 0, 0, 0.5], blue: [0, 0, 1, 0.5] };
      return texts.map((text) => {
        const vector = Float32Array.from(directions[text] ?? [1, 1, 1, 0.5]);
        const norm = Math.hypot(...vector);
        return vector.map((v) => v / norm);
      });
    },
  };
}
