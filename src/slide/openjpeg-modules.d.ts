// The OpenJPEG codec package ships Emscripten factories without type declarations.
declare module '@cornerstonejs/codec-openjpeg/decodewasmjs' {
  import type { OpenJpegModule } from './jpeg2000';
  const factory: (options?: object) => Promise<OpenJpegModule>;
  export default factory;
}
