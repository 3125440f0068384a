// The bench's rows: each measure beside its ceiling from the same run, the ratio and the target, as a
// terminal table and as Markdown (docs/PERFORMANCE.md takes the latter).
export interface Row {
  id: string;
  measure: string;
  luz: string;
  ceiling: string;
  /** Luz ÷ ceiling (or as `ratioNote` says); null where no ratio applies. */
  ratio: number | null;
  ratioNote?: string;
  target: string;
  /** null: report only. */
  met: boolean | null;
}

const verdict = (row: Row) => (row.met === null ? 'report' : row.met ? 'met' : 'MISSED');
const ratioText = (row: Row) => (row.ratio === null ? '—' : `${row.ratio}${row.ratioNote ? ` ${row.ratioNote}` : ''}`);

export function markdownTable(rows: Row[]): string {
  const lines = [
    '| measure | Luz | ceiling (same run) | ratio | target | |',
    '|---|---|---|---|---|---|',
    ...rows.map((row) => `| ${row.measure} | ${row.luz} | ${row.ceiling} | ${ratioText(row)} | ${row.target} | ${verdict(row)} |`),
  ];
  return lines.join('\n');
}

export function terminalTable(rows: Row[]): string {
  const cells = [['measure', 'Luz', 'ceiling (same run)', 'ratio', 'target', ''], ...rows.map((row) => [row.measure, row.luz, row.ceiling, ratioText(row), row.target, verdict(row)])];
  const widths = cells[0].map((_, column) => Math.min(60, Math.max(...cells.map((line) => line[column].length))));
  const wrap = (text: string, width: number) => {
    const parts: string[] = [];
    let rest = text;
    while (rest.length > width) {
      const cut = rest.lastIndexOf(' ', width) > 0 ? rest.lastIndexOf(' ', width) : width;
      parts.push(rest.slice(0, cut));
      rest = rest.slice(cut).trimStart();
    }
    parts.push(rest);
    return parts;
  };
  const out: string[] = [];
  for (const [index, line] of cells.entries()) {
    const wrapped = line.map((cell, column) => wrap(cell, widths[column]));
    const height = Math.max(...wrapped.map((parts) => parts.length));
    for (let i = 0; i < height; i++) out.push(wrapped.map((parts, column) => (parts[i] ?? '').padEnd(widths[column])).join('  ').trimEnd());
    if (index === 0) out.push(widths.map((width) => '─'.repeat(width)).join('  '));
  }
  return out.join('\n');
}

export const thousands = (value: number) => (Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : String(value));
export const ms = (value: number | null) => (value === null || !Number.isFinite(value) ? '—' : value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value} ms`);
export const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} KB`;
