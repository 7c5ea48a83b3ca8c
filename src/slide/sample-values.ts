/**
 * Decoded TIFF samples as numbers: 8- or 16-bit, unsigned or signed (SampleFormat 1 / 2), in the file's byte
 * order. Fluorescence and high-bit-depth images keep their values until they are windowed for display.
 */

export type SampleValues = Uint8Array | Int8Array | Uint16Array | Int16Array;

export type SampleType = 'uint8' | 'int8' | 'uint16' | 'int16';

export function sampleType(bitsPerSample: number, sampleFormat: number): SampleType {
  const signed = sampleFormat === 2;
  if (bitsPerSample === 8) return signed ? 'int8' : 'uint8';
  if (bitsPerSample === 16) return signed ? 'int16' : 'uint16';
  throw new RangeError(`${bitsPerSample}-bit samples`);
}

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The decoder's bytes as typed values (copied, so the result owns an aligned buffer). */
export function toSampleValues(bytes: Uint8Array, type: SampleType, littleEndian: boolean): SampleValues {
  if (type === 'uint8') return Uint8Array.from(bytes);
  if (type === 'int8') return new Int8Array(Uint8Array.from(bytes).buffer);
  const count = bytes.length >> 1;
  const values = type === 'uint16' ? new Uint16Array(count) : new Int16Array(count);
  if (littleEndian === HOST_LITTLE_ENDIAN) {
    new Uint8Array(values.buffer).set(bytes.subarray(0, count * 2));
  } else {
    const view = new DataView(bytes.buffer, bytes.byteOffset, count * 2);
    for (let i = 0; i < count; i++) values[i] = type === 'uint16' ? view.getUint16(i * 2, littleEndian) : view.getInt16(i * 2, littleEndian);
  }
  return values;
}
