// Consumption history: the last 12 months in kWh and R$, drill-down year → month → day, comparisons, meter selector, CSV.
import { useState } from 'preact/hooks';
import type { I18n } from '../../../i18n/index';
import type { Api, History, Invoice, Kind } from '../api';
import { BarChart } from '../barChart';
import { html } from '../html';
import { DataTable, download, ErrorNote, Loading, toCsv, useLoad } from '../widgets';

type View = { kind: 'last12' } | { kind: Kind; periodo: number };
type Meter = 'all' | number;

/** Today's calendar date in the Luz time zone. */
function today(timeZone: string): { year: number; month: number; day: number } {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(Date.now());
  const part = (type: string) => Number(parts.find((candidate) => candidate.type === type)!.value);
  return { year: part('year'), month: part('month'), day: part('day') };
}

const monthKey = (year: number, month: number) => `${year}-${String(month).padStart(2, '0')}`;

/** The month `back` months before the current one, as YYYY-MM. */
function monthBack(timeZone: string, back: number): string {
  const now = today(timeZone);
  const index = now.year * 12 + now.month - 1 - back;
  return monthKey(Math.floor(index / 12), (index % 12) + 1);
}

/** How many periods of `kind` back a bucket (2026-03 or 2026-03-14) is, as getConsumoHist counts them. */
function periodsBack(timeZone: string, kind: 'M' | 'D', bucket: string): number {
  const now = today(timeZone);
  const [year, month, day] = bucket.split('-').map(Number);
  if (kind === 'M') return now.year * 12 + now.month - (year * 12 + month);
  return Math.round((Date.UTC(now.year, now.month - 1, now.day) - Date.UTC(year, month - 1, day)) / 86_400_000);
}

/** The same period one year earlier, in periods back. */
function yearEarlier(timeZone: string, kind: Kind, periodo: number, inicio: string): number {
  if (kind === 'Y') return periodo + 1;
  if (kind === 'M') return periodo + 12;
  const [year, month, day] = inicio.slice(0, 10).split('-').map(Number);
  return periodsBack(timeZone, 'D', `${year - 1}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`);
}

function bucketLabel(i18n: I18n, bucket: string): string {
  let match = /T(\d{2})$/.exec(bucket);
  if (match) return `${match[1]}h`;
  match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(bucket);
  if (match) return `${match[3]}/${match[2]}`;
  return /^\d{4}-\d{2}$/.test(bucket) ? i18n.shortMonth(bucket) : bucket;
}

function change(i18n: I18n, now: number, before: number): string {
  if (before === 0) return i18n.t('history.noData');
  const percent = ((now - before) / before) * 100;
  return `${percent > 0 ? '+' : ''}${i18n.number(percent, 1)}%`;
}

interface Shown {
  title: string;
  rows: { bucket: string; label: string; kwh: number; money?: number; drill?: View }[];
}

function Figures({ i18n, shown, onPick, fileName }: { i18n: I18n; shown: Shown; onPick: (view: View) => void; fileName: string }) {
  const withMoney = shown.rows.some((row) => row.money !== undefined);
  const total = shown.rows.reduce((sum, row) => sum + row.kwh, 0);
  const max = shown.rows.reduce((best, row) => (row.kwh > best.kwh ? row : best), shown.rows[0] ?? { kwh: 0, label: '—' });
  const summary = `${shown.title}: ${i18n.t('history.summary', { count: shown.rows.length, kwh: i18n.kwh(total), max: i18n.kwh(max.kwh), label: max.label })}`;
  const exportCsv = () => {
    const header = [i18n.t('history.bucket'), 'kWh', ...(withMoney ? ['R$'] : [])];
    const lines = shown.rows.map((row) => [row.bucket, i18n.number(row.kwh), ...(withMoney ? [row.money === undefined ? '' : i18n.number(row.money, 2)] : [])]);
    download(fileName, new Blob([toCsv([header, ...lines])], { type: 'text/csv;charset=utf-8' }));
  };
  return html`<div>
    <${BarChart}
      labels=${shown.rows.map((row) => row.label)}
      values=${shown.rows.map((row) => row.kwh)}
      summary=${summary}
      unit="kWh"
      onPick=${(index: number) => shown.rows[index]?.drill && onPick(shown.rows[index].drill!)}
    />
    <p><button type="button" onClick=${exportCsv}>${i18n.t('history.csv')}</button></p>
    <${DataTable}
      caption=${`${i18n.t('history.table')}: ${shown.title}`}
      headers=${[i18n.t('history.bucket'), i18n.t('history.kwh'), ...(withMoney ? [i18n.t('history.money')] : [])]}
      rows=${shown.rows.map((row) => [
        row.drill ? html`<button type="button" class="link" onClick=${() => onPick(row.drill!)} aria-label=${i18n.t('history.drill', { label: row.label })}>${row.label}</button>` : row.label,
        i18n.number(row.kwh),
        ...(withMoney ? [row.money === undefined ? '—' : i18n.money(row.money)] : []),
      ])}
      footer=${['Total', i18n.number(total), ...(withMoney ? [i18n.money(shown.rows.reduce((sum, row) => sum + (row.money ?? 0), 0))] : [])]}
    />
  </div>`;
}

function LastTwelve({ i18n, api, cpf, meter, setMeters, onPick }: { i18n: I18n; api: Api; cpf: string; meter: Meter; setMeters: (ids: number[]) => void; onPick: (view: View) => void }) {
  const [invoices] = useLoad(async () => {
    const months = Array.from({ length: 12 }, (_, index) => monthBack(i18n.timeZone, 11 - index));
    const list: Invoice[] = await Promise.all(months.map((month) => api.invoice(cpf, month)));
    setMeters([...new Set(list.flatMap((invoice) => invoice.medidores.map((entry) => entry.id_medidor)))].sort((a, b) => a - b));
    return list;
  }, [cpf]);
  if (invoices.state === 'loading') return html`<${Loading} i18n=${i18n} />`;
  if (invoices.state === 'failed') return html`<${ErrorNote} i18n=${i18n} error=${invoices.error} />`;
  const shown: Shown = {
    title: i18n.t('history.last12'),
    rows: invoices.value.map((invoice) => ({
      bucket: invoice.mes,
      label: i18n.shortMonth(invoice.mes),
      kwh: meter === 'all' ? invoice.kwh : (invoice.medidores.find((entry) => entry.id_medidor === meter)?.kwh ?? 0),
      money: meter === 'all' ? invoice.valor : undefined,
      drill: { kind: 'M', periodo: periodsBack(i18n.timeZone, 'M', invoice.mes) },
    })),
  };
  return html`<${Figures} i18n=${i18n} shown=${shown} onPick=${onPick} fileName=${`consumo-12-meses-${cpf}.csv`} />`;
}

function titleOf(i18n: I18n, history: History): string {
  const [year, month, day] = history.inicio.slice(0, 10).split('-');
  if (history.kind === 'Y') return i18n.t('history.titleY', { year });
  if (history.kind === 'M') return i18n.t('history.titleM', { month: i18n.month(`${year}-${month}`) });
  return i18n.t('history.titleD', { date: `${day}/${month}/${year}` });
}

function Period({ i18n, api, cpf, view, meter, onPick }: { i18n: I18n; api: Api; cpf: string; view: { kind: Kind; periodo: number }; meter: Meter; onPick: (view: View) => void }) {
  const [loaded] = useLoad(async () => {
    const history = await api.history(cpf, view.kind, view.periodo);
    const [previous, yearAgo] = await Promise.all([
      api.history(cpf, view.kind, view.periodo + 1),
      view.kind === 'Y' ? undefined : api.history(cpf, view.kind, yearEarlier(i18n.timeZone, view.kind, view.periodo, history.inicio)),
    ]);
    return { history, previous, yearAgo };
  }, [cpf, view.kind, view.periodo]);
  if (loaded.state === 'loading') return html`<${Loading} i18n=${i18n} />`;
  if (loaded.state === 'failed') return html`<${ErrorNote} i18n=${i18n} error=${loaded.error} />`;
  const { history, previous, yearAgo } = loaded.value;
  // Per-meter figures of a day come from its readings (the roll-ups are per customer).
  const byMeter = view.kind === 'D' && meter !== 'all';
  const kwhOf = (bucket: string, kwh: number) =>
    byMeter ? history.consumo.filter((reading) => reading.id_medidor === meter && hourKey(i18n.timeZone, reading.timestamp) === bucket).reduce((sum, reading) => sum + reading.valor, 0) : kwh;
  const drillKind: 'M' | 'D' | undefined = view.kind === 'Y' ? 'M' : view.kind === 'M' ? 'D' : undefined;
  const shown: Shown = {
    title: titleOf(i18n, history),
    rows: history.series.map(({ bucket, kwh }) => ({
      bucket,
      label: bucketLabel(i18n, bucket),
      kwh: kwhOf(bucket, kwh),
      drill: drillKind && { kind: drillKind, periodo: periodsBack(i18n.timeZone, drillKind, bucket) },
    })),
  };
  return html`<div>
    <h3>${shown.title}</h3>
    <p>${i18n.t('history.total', { kwh: i18n.kwh(history.soma) })}</p>
    <ul class="compare" aria-label=${i18n.t('history.compare')}>
      <li>${i18n.t('history.vsPrevious', { kwh: i18n.kwh(previous.soma), change: change(i18n, history.soma, previous.soma) })}</li>
      ${yearAgo && html`<li>${i18n.t('history.vsYearAgo', { kwh: i18n.kwh(yearAgo.soma), change: change(i18n, history.soma, yearAgo.soma) })}</li>`}
    </ul>
    <p class="period-nav">
      <button type="button" onClick=${() => onPick({ kind: view.kind, periodo: view.periodo + 1 })}>${i18n.t('history.previous')}</button>
      <button type="button" disabled=${view.periodo === 0} onClick=${() => onPick({ kind: view.kind, periodo: view.periodo - 1 })}>${i18n.t('history.next')}</button>
    </p>
    <${Figures} i18n=${i18n} shown=${shown} onPick=${onPick} fileName=${`consumo-${history.kind}-${history.inicio.slice(0, 10)}-${cpf}.csv`} />
  </div>`;
}

/** The hour bucket key (2026-11-25T13) of a reading, in the Luz time zone. */
function hourKey(timeZone: string, seconds: number): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', hourCycle: 'h23' }).formatToParts(seconds * 1000);
  const part = (type: string) => parts.find((candidate) => candidate.type === type)!.value;
  return `${part('year')}-${part('month')}-${part('day')}T${part('hour')}`;
}

export function HistoryScreen({ i18n, api, cpf }: { i18n: I18n; api: Api; cpf: string }) {
  const [view, setView] = useState<View>({ kind: 'last12' });
  const [meter, setMeter] = useState<Meter>('all');
  const [meters, setMeters] = useState<number[]>([]);
  const views: [string, View][] = [
    [i18n.t('history.last12'), { kind: 'last12' }],
    [i18n.t('history.year'), { kind: 'Y', periodo: 0 }],
    [i18n.t('history.monthView'), { kind: 'M', periodo: 0 }],
    [i18n.t('history.day'), { kind: 'D', periodo: 0 }],
  ];
  return html`<section aria-labelledby="history-title">
    <h2 id="history-title">${i18n.t('history.heading')}</h2>
    <div class="toolbar">
      <div role="group" aria-label=${i18n.t('history.kind')}>
        ${views.map(([label, target]) => html`<button type="button" aria-pressed=${view.kind === target.kind ? 'true' : 'false'} onClick=${() => setView(target)}>${label}</button>`)}
      </div>
      ${meters.length > 1 &&
      html`<label>${i18n.t('history.meter')} <select value=${String(meter)} onChange=${(event: Event) => {
        const value = (event.target as HTMLSelectElement).value;
        setMeter(value === 'all' ? 'all' : Number(value));
      }}>
        <option value="all">${i18n.t('history.allMeters')}</option>
        ${meters.map((id) => html`<option value=${String(id)}>${i18n.t('invoice.meter', { id })}</option>`)}
      </select></label>`}
    </div>
    ${view.kind === 'last12'
      ? html`<${LastTwelve} i18n=${i18n} api=${api} cpf=${cpf} meter=${meter} setMeters=${setMeters} onPick=${setView} />`
      : html`<${Period} i18n=${i18n} api=${api} cpf=${cpf} view=${view} meter=${meter} onPick=${setView} />`}
  </section>`;
}
