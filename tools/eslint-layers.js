// The import rules that keep src/'s layers true (drawn in src/README.md). Shared by eslint.config.js and the
// architecture test, which checks that an upward import really fails.
import fs from 'node:fs';
import path from 'node:path';

/** Layers from the top; each may import only the layers named after it in `mayImport`. */
export const LAYERS = {
  app: ['features', 'session', 'inference', 'slide', 'storage', 'ui'],
  features: ['session', 'inference', 'slide', 'storage', 'ui'],
  session: ['inference', 'slide', 'storage', 'ui'],
  inference: ['slide', 'ui'],
  slide: ['ui'],
  storage: [],
  ui: [],
};

/** Layers that hold no React and no app state (zustand): readers, models and storage run in workers and Node. */
const NO_UI_STATE_LAYERS = ['inference', 'slide', 'storage'];

export function layerRules(repoRoot) {
  const layers = Object.keys(LAYERS);
  const zones = layers
    .map((layer) => ({
      target: `./src/${layer}`,
      from: layers.filter((other) => other !== layer && !LAYERS[layer].includes(other)).map((other) => `./src/${other}`),
      message: `src/${layer} may import only ${LAYERS[layer].map((other) => `src/${other}`).join(', ') || 'libraries'} (see src/README.md).`,
    }))
    .filter((zone) => zone.from.length > 0);
  // A feature uses another feature only through that feature's index.ts.
  const featuresDir = path.join(repoRoot, 'src', 'features');
  const features = fs.existsSync(featuresDir)
    ? fs
        .readdirSync(featuresDir, { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => entry.name)
    : [];
  for (const feature of features) {
    for (const other of features.filter((name) => name !== feature)) {
      zones.push({
        target: `./src/features/${feature}`,
        from: `./src/features/${other}`,
        except: ['./index.ts'],
        message: `features/${feature} may use features/${other} only through its index.ts.`,
      });
    }
  }
  return {
    'import-x/no-restricted-paths': ['error', { zones }],
  };
}

/** ESLint config block that keeps React and zustand out of the layers that must run in workers and Node. */
export const noUiStateInLowerLayers = {
  files: NO_UI_STATE_LAYERS.map((layer) => `src/${layer}/**/*.{ts,tsx}`),
  rules: {
    'no-restricted-imports': [
      'error',
      {
        paths: ['react', 'react-dom', 'zustand'].map((name) => ({ name, message: 'src/inference, src/slide and src/storage hold no React and no app state.' })),
        patterns: [{ group: ['react/*', 'react-dom/*', 'zustand/*'], message: 'src/inference, src/slide and src/storage hold no React and no app state.' }],
      },
    ],
  },
};
