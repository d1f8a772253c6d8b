export { shouldUseColor, type ColorInputs } from './colors.ts';
export { toJson } from './json.ts';
export { DEFAULT_WIDTH, type RenderOptions, type TextFormat } from './options.ts';
export { renderExplain } from './text-explain.ts';
export { renderTrace } from './text-trace.ts';
export { toYaml } from './yaml.ts';
