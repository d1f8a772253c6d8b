export { shouldUseColor, type ColorInputs } from './colors.ts';
export { toDot } from './dot.ts';
export { toJson } from './json.ts';
export { toMermaid } from './mermaid.ts';
export { DEFAULT_WIDTH, terminalWidth, type RenderOptions, type TextFormat } from './options.ts';
export { renderExplain } from './text-explain.ts';
export { renderTrace } from './text-trace.ts';
export { toTree } from './tree.ts';
export { toYaml } from './yaml.ts';
