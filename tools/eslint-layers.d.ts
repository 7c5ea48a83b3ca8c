import type { Linter } from 'eslint';

export declare const LAYERS: Record<string, string[]>;
export declare function layerRules(repoRoot: string): Linter.RulesRecord;
export declare const noUiStateInLowerLayers: Linter.Config;
