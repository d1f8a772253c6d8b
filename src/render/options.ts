export type TextFormat = 'text' | 'wide';

export interface RenderOptions {
  /** `text`: the essentials, fitted to `width`; `wide` (-o wide): everything, nothing cut. */
  format: TextFormat;
  /** Decide with shouldUseColor(); renderers never look at the terminal themselves. */
  color: boolean;
  /** Columns to fit in `text` format; default 100. `wide` ignores it. */
  width?: number;
}

export const DEFAULT_WIDTH = 100;
