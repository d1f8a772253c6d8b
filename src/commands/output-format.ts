export type { OutputFormat } from '../render/index.ts';
