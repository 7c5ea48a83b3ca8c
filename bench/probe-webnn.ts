/**
 * Does this Chromium offer WebNN (navigator.ml), and can it make a context on the processor? Issue #18 asked whether
 * ONNX Runtime Web's WebNN execution provider could run Patho-R1's vision tower faster than its WASM kernels.
 * Launches the browser once per flag set, opens a secure (localhost) page, and tries createContext for each device
 * type, then a 2 x 2 matmul on the CPU context. Prints one JSON line per flag set.
 *
 *   tsx bench/probe-webnn.ts
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium } from '@playwright/test';
import { CHROMIUM_PATH, QUIET_CHROMIUM_FLAGS } from '../e2e/chromium';

const FLAG_SETS: string[][] = [
  [],
  ['--enable-features=WebMachineLearningNeuralNetwork'],
  ['--enable-features=WebMachineLearningNeuralNetwork,WebNNOnnxRuntime'],
  ['--enable-features=WebMachineLearningNeuralNetwork,WebNNLiteRTGpuInRenderer'],
  ['--enable-blink-features=MachineLearningNeuralNetwork'],
];

/** Runs in the page: what WebNN offers (no types: navigator.ml is not in TypeScript's DOM library). */
async function probe(): Promise<Record<string, unknown>> {
  /* eslint-disable @typescript-eslint/no-explicit-any */
  const ml = (navigator as any).ml;
  const out: Record<string, unknown> = { navigatorMl: typeof ml, secureContext: isSecureContext };
  if (!ml) return out;
  for (const deviceType of ['cpu', 'gpu', 'npu']) {
    try {
      const context = await ml.createContext({ deviceType });
      out[deviceType] = 'context created';
      if (deviceType !== 'cpu') continue;
      const builder = new (globalThis as any).MLGraphBuilder(context);
      const a = builder.input('a', { dataType: 'float32', shape: [2, 2] });
      const graph = await builder.build({ out: builder.matmul(a, a) });
      const input = await context.createTensor({ dataType: 'float32', shape: [2, 2], writable: true });
      const output = await context.createTensor({ dataType: 'float32', shape: [2, 2], readable: true });
      context.writeTensor(input, new Float32Array([1, 2, 3, 4]));
      context.dispatch(graph, { a: input }, { out: output });
      out.cpuMatmul = Array.from(new Float32Array(await context.readTensor(output)));
    } catch (error) {
      out[deviceType] = String(error);
    }
  }
  return out;
  /* eslint-enable @typescript-eslint/no-explicit-any */
}

const server = createServer((_request, response) => {
  response.setHeader('content-type', 'text/html');
  response.end('<!doctype html><title>webnn probe</title>');
}).listen(0, '127.0.0.1');
await new Promise((resolve) => server.once('listening', resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
try {
  for (const flags of FLAG_SETS) {
    const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...QUIET_CHROMIUM_FLAGS, ...flags] });
    try {
      const page = await browser.newPage();
      await page.goto(url);
      const result = await page.evaluate(probe).catch((error: unknown) => ({ pageError: String(error).split('\n')[0] }));
      console.log(JSON.stringify({ flags, ...result }));
    } finally {
      await browser.close();
    }
  }
} finally {
  server.close();
}
