import Table from 'cli-table3';
import type { Style } from './colors.ts';
import { visibleWidth, wrapText } from './format.ts';

const GAP = '  ';
const MIN_COLUMN = 3;
const MIN_WRAPPED = 16;
const NOTE_INDENT = '  ';

// kubectl-like: no borders, columns separated by spaces.
const CHARS = {
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '',
  bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
  left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '',
  middle: GAP,
};

/** A table row, or a note under the previous row that spans the whole table (conditions). */
export type Row = string[] | { note: string };

export interface TableSpec {
  head: string[];
  rows: Row[];
  /** Columns available, or null to size each column to its content (-o wide). */
  maxWidth: number | null;
  /** Wrap long cells at spaces (reasons, messages) instead of cutting them with an ellipsis. */
  wrap?: boolean;
  /** Column indexes that give way first when the table is too wide (see fitColumns). */
  shrinkFirst?: number[];
  style: Style;
}

/**
 * Column widths that fit `maxWidth`. Columns in `shrinkFirst` (text that wraps: reasons,
 * conditions) give way first, down to a readable width; then the widest column gives up a
 * column at a time, so short columns (verdict, share, hop) keep their content.
 */
export function fitColumns(natural: number[], maxWidth: number | null, shrinkFirst: number[] = []): number[] {
  const widths = [...natural];
  if (maxWidth === null) return widths;
  let excess = widths.reduce((a, b) => a + b, 0) + GAP.length * (widths.length - 1) - maxWidth;
  const shrink = (candidates: number[], floor: number) => {
    while (excess > 0) {
      let widest = -1;
      for (const i of candidates) {
        if (widths[i]! > floor && (widest < 0 || widths[i]! > widths[widest]!)) widest = i;
      }
      if (widest < 0) return;
      widths[widest]!--;
      excess--;
    }
  };
  shrink(shrinkFirst, MIN_WRAPPED);
  shrink(widths.map((_, i) => i), MIN_COLUMN);
  return widths;
}

/** A table as lines without trailing spaces, for the caller to indent. */
export function renderTable({ head, rows, maxWidth, wrap = false, shrinkFirst = [], style }: TableSpec): string[] {
  const cellWidth = (cell: string) => Math.max(...cell.split('\n').map(visibleWidth));
  const cells = rows.filter((row) => Array.isArray(row));
  const natural = head.map((h, i) => Math.max(visibleWidth(h), ...cells.map((row) => cellWidth(row[i] ?? ''))));
  const colWidths = fitColumns(natural, maxWidth, shrinkFirst);
  const table = new Table({
    head: head.map((h) => style.bold(h)),
    colWidths,
    wordWrap: wrap,
    chars: CHARS,
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
  });
  for (const row of rows) {
    if (Array.isArray(row)) {
      table.push(row);
    } else {
      // Wrapped here, indented under the row; cli-table3 would lose the indent on wrapping. It
      // gives a spanning cell the column widths plus one per inner border, not our wider gap.
      const spanWidth = colWidths.reduce((a, b) => a + b, 0) + colWidths.length - 1;
      const lines = wrapText(row.note, Math.max(spanWidth - NOTE_INDENT.length, MIN_WRAPPED));
      table.push([{ colSpan: head.length, content: lines.map((l) => NOTE_INDENT + style.dim(l)).join('\n') }]);
    }
  }
  return table.toString().split('\n').map((line) => line.trimEnd());
}
