/**
 * Decoded tiles kept as ImageBitmaps (browser only): the viewer draws them as the decoder made them, so nothing
 * reads the pixels back to RGBA. Edge tiles are cropped to the level, and a short (damaged) tile is padded with
 * white, as cropTile (region.ts) does for RGBA tiles.
 */
export async function cropBitmap(bitmap: ImageBitmap, width: number, height: number): Promise<ImageBitmap> {
  if (bitmap.width === width && bitmap.height === height) return bitmap;
  try {
    if (bitmap.width >= width && bitmap.height >= height) return await createImageBitmap(bitmap, 0, 0, width, height);
    const canvas = new OffscreenCanvas(width, height);
    const context = canvas.getContext('2d');
    if (!context) throw new Error('the browser gave no 2D canvas for a tile');
    context.fillStyle = '#fff';
    context.fillRect(0, 0, width, height);
    context.drawImage(bitmap, 0, 0);
    return canvas.transferToImageBitmap();
  } finally {
    bitmap.close();
  }
}
