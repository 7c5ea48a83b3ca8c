/**
 * Kiosk mode's settings: on with `?kiosk=1` or with a `kiosk.json` next to the app. Pure (no DOM): parsed with zod,
 * so a museum's or a teaching lab's hand-edited file gets a sentence per bad field and defaults for the rest.
 *
 * kiosk.json (every field optional):
 *   { "enabled": true, "idleTimeoutSeconds": 180, "warningSeconds": 20, "title": "PathoLens",
 *     "attractMessage": "Touch the screen to …", "preload": { "pathoR1": "tiny/patho-r1", "pathoClip": "tiny/pathoclip" } }
 * Query overrides (for tests and a quick try): `?kiosk=1&idle=SECONDS&warning=SECONDS`.
 * The research-model notice is not configurable: a kiosk always says that answers are not a diagnosis.
 */
import { z } from 'zod';

export const KIOSK_CONFIG_URL = '/kiosk.json';

export const KIOSK_NOTICE = 'Answers come from a research model, not a diagnosis. Not for clinical use.';

const modelPath = z
  .string()
  .regex(/^[\w.-]+\/[\w.-]+$/, 'must be a model folder under /models/, like "tiny/patho-r1"')
  .nullable();

export const kioskConfigSchema = z
  .object({
    enabled: z.boolean().default(true),
    idleTimeoutSeconds: z
      .number()
      .int()
      .min(1)
      .max(24 * 3600)
      .default(180),
    warningSeconds: z.number().int().min(0).max(600).default(20),
    title: z.string().trim().min(1).max(80).default('PathoLens'),
    attractMessage: z.string().trim().min(1).max(400).default('Touch the screen to explore a whole-slide image and ask a research model about a region.'),
    preload: z
      .object({ pathoR1: modelPath.default('tiny/patho-r1'), pathoClip: modelPath.default('tiny/pathoclip') })
      .strict()
      .default({ pathoR1: 'tiny/patho-r1', pathoClip: 'tiny/pathoclip' }),
  })
  .strict();

export type KioskConfig = z.output<typeof kioskConfigSchema>;

export const DEFAULT_KIOSK_CONFIG: KioskConfig = kioskConfigSchema.parse({});

export interface KioskSettings {
  enabled: boolean;
  config: KioskConfig;
  /** Sentences about kiosk.json fields that were wrong and replaced by their defaults. */
  problems: string[];
}

/** Each field that failed, as "kiosk.json: idleTimeoutSeconds must be …; the default (180) is used." */
function problemSentences(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const field = issue.path.join('.') || 'the file';
    const fallback = issue.path.length > 0 ? defaultAt(issue.path) : undefined;
    return `kiosk.json: ${field}: ${issue.message}; ${fallback === undefined ? 'it is ignored' : `the default (${JSON.stringify(fallback)}) is used`}.`;
  });
}

function defaultAt(path: readonly PropertyKey[]): unknown {
  let value: unknown = DEFAULT_KIOSK_CONFIG;
  for (const key of path) value = value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[key] : undefined;
  return value;
}

/** Drops the fields zod refused (so each gets its default) and keeps the rest. */
function withoutBadFields(raw: Record<string, unknown>, error: z.ZodError): Record<string, unknown> {
  const copy = structuredClone(raw);
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      const parent = issue.path.reduce<unknown>((node, key) => (node as Record<PropertyKey, unknown>)?.[key], copy) as Record<string, unknown> | undefined;
      for (const key of issue.keys) if (parent) delete parent[key];
      continue;
    }
    const parentPath = issue.path.slice(0, -1);
    const parent = parentPath.reduce<unknown>((node, key) => (node as Record<PropertyKey, unknown>)?.[key], copy) as Record<PropertyKey, unknown> | undefined;
    const last = issue.path.at(-1);
    if (parent && last !== undefined) delete parent[last];
  }
  return copy;
}

/**
 * Parses a kiosk.json body. `undefined` means there is no file. Anything that is not a JSON object is refused as a
 * whole (with a sentence); a wrong field falls back to its default and is named.
 */
export function parseKioskFile(body: unknown): { config: KioskConfig; problems: string[] } | undefined {
  if (body === undefined) return undefined;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return { config: DEFAULT_KIOSK_CONFIG, problems: ['kiosk.json is not a JSON object; the kiosk runs with its defaults.'] };
  }
  const first = kioskConfigSchema.safeParse(body);
  if (first.success) return { config: first.data, problems: [] };
  const second = kioskConfigSchema.safeParse(withoutBadFields(body as Record<string, unknown>, first.error));
  return { config: second.success ? second.data : DEFAULT_KIOSK_CONFIG, problems: problemSentences(first.error) };
}

function seconds(value: string | null, min: number): number | null {
  if (value === null || !/^\d+$/.test(value)) return null;
  return Math.max(min, Number(value));
}

/**
 * Whether kiosk mode is on and with which settings, from the page's query string and kiosk.json (parsed body, or
 * undefined when there is none). `?kiosk=1` turns it on; a kiosk.json turns it on unless it says "enabled": false.
 */
export function resolveKioskSettings(search: string, file: unknown): KioskSettings {
  const params = new URLSearchParams(search);
  const parsed = parseKioskFile(file);
  const base = parsed?.config ?? DEFAULT_KIOSK_CONFIG;
  const enabled = params.get('kiosk') === '1' || (parsed !== undefined && base.enabled);
  const idle = seconds(params.get('idle'), 1);
  const warning = seconds(params.get('warning'), 0);
  const config: KioskConfig = {
    ...base,
    ...(idle !== null ? { idleTimeoutSeconds: idle } : {}),
    ...(warning !== null ? { warningSeconds: warning } : {}),
  };
  return { enabled, config, problems: parsed?.problems ?? [] };
}
