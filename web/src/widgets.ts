// Small shared pieces: loading a value from the API, the error line, a data table, a CSV download.
import { useEffect, useState } from 'preact/hooks';
import type { I18n } from '../../i18n/index';
import { ApiFailure } from './api';
import { html } from './html';

export type Loaded<T> = { state: 'loading' } | { state: 'ready'; value: T } | { state: 'failed'; error: unknown };

/** Runs `load` whenever `deps` change; a stale answer never overwrites a newer one. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): [Loaded<T>, () => void] {
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: 'loading' });
  const [round, setRound] = useState(0);
  useEffect(() => {
    let current = true;
    setLoaded({ state: 'loading' });
    load().then(
      (value) => current && setLoaded({ state: 'ready', value }),
      (error) => current && setLoaded({ state: 'failed', error }),
    );
    return () => void (current = false);
  }, [...deps, round]);
  return [loaded, () => setRound((n) => n + 1)];
}

export function errorText(i18n: I18n, error: unknown): string {
  if (error instanceof ApiFailure) {
    if (error.code === 'unreachable') return i18n.t('error.unreachable', { url: error.message });
    return i18n.error({ status: error.status, code: error.code, field: error.field, message: error.message });
  }
  return i18n.t('error.other', { status: '—', message: String((error as Error)?.message ?? error) });
}

export const ErrorNote = ({ i18n, error }: { i18n: I18n; error: unknown }) => html`<p class="error" role="alert">${errorText(i18n, error)}</p>`;

export const Loading = ({ i18n }: { i18n: I18n }) => html`<p aria-live="polite">${i18n.t('loading')}</p>`;

/** A table of figures: the first column names the row, the others align right. */
export function DataTable({ caption, headers, rows, footer }: { caption: string; headers: string[]; rows: unknown[][]; footer?: unknown[] }) {
  return html`<div class="table-wrap" tabindex="0" role="region" aria-label=${caption}>
    <table>
      <caption>${caption}</caption>
      <thead><tr>${headers.map((header, i) => html`<th scope="col" class=${i ? 'num' : ''}>${header}</th>`)}</tr></thead>
      <tbody>${rows.map((row) => html`<tr>${row.map((cell, i) => (i ? html`<td class="num">${cell}</td>` : html`<th scope="row">${cell}</th>`))}</tr>`)}</tbody>
      ${footer && html`<tfoot><tr>${footer.map((cell, i) => (i ? html`<td class="num">${cell}</td>` : html`<th scope="row">${cell}</th>`))}</tr></tfoot>`}
    </table>
  </div>`;
}

/** Saves a file the page made (a CSV, a PDF blob) through a temporary link. */
export function download(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** RFC 4180 CSV with `;` (what Brazilian spreadsheets expect beside decimal commas). */
export function toCsv(rows: (string | number)[][]): string {
  const cell = (value: string | number) => {
    const text = String(value);
    return /[";\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return '\ufeff' + rows.map((row) => row.map(cell).join(';')).join('\r\n') + '\r\n';
}
