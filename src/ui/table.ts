// Plain text tables for stdout. A cell shows a name, an image, a URL, a label: each is one line,
// its control characters escaped (safe-text.ts), so no cell can move the cursor or break a row.
import { safeLine } from './safe-text.js';

export function renderTable(headers: string[], cells: string[][]): string {
  const rows = cells.map((r) => r.map(safeLine));
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}
