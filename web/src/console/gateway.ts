// Live gateway figures: GET /gatewayStatus every few seconds (each gateway instance publishes its counters to a table).
import { useEffect, useState } from 'preact/hooks';
import type { I18n } from '../../../i18n/index';
import type { Api, GatewayStatus } from '../api';
import { html } from '../html';
import { DataTable, ErrorNote, Loading } from '../widgets';

const REFRESH_MS = 5000;

const rejectedCount = (rejected: Record<string, number>) => Object.values(rejected).reduce((sum, count) => sum + count, 0);

export function GatewayPanel({ i18n, api }: { i18n: I18n; api: Api }) {
  const [status, setStatus] = useState<GatewayStatus | undefined>();
  const [failure, setFailure] = useState<unknown>();
  useEffect(() => {
    let stopped = false;
    const poll = async () => {
      try {
        const next = await api.gatewayStatus();
        if (!stopped) (setStatus(next), setFailure(undefined));
      } catch (error) {
        if (!stopped) setFailure(error);
      }
    };
    void poll();
    const timer = setInterval(poll, REFRESH_MS);
    return () => ((stopped = true), clearInterval(timer));
  }, [api]);
  const latency = (ms: number | null) => (ms === null ? '—' : `${i18n.number(ms, 1)} ms`);
  const body = () => {
    if (failure !== undefined) return html`<${ErrorNote} i18n=${i18n} error=${failure} />`;
    if (!status) return html`<${Loading} i18n=${i18n} />`;
    const { total, gateways } = status;
    if (gateways.length === 0) return html`<p>${i18n.t('gateway.none')}</p>`;
    const rejected = Object.entries(total.rejeitadas);
    return html`
      <p>${i18n.t('gateway.summary', { count: total.instancias, rate: i18n.number(total.leiturasPorSegundo, 1), stored: i18n.number(total.gravadas), rejected: i18n.number(rejectedCount(total.rejeitadas)) })}</p>
      <${DataTable}
        caption=${i18n.t('gateway.figures')}
        headers=${[i18n.t('gateway.instance'), i18n.t('gateway.rate'), i18n.t('gateway.stored'), i18n.t('gateway.duplicates'), i18n.t('gateway.rejected'), i18n.t('gateway.inFlight'), i18n.t('gateway.p99'), i18n.t('gateway.updated')]}
        rows=${gateways.map((gateway) => [gateway.instancia, i18n.number(gateway.leiturasPorSegundo, 1), i18n.number(gateway.gravadas), i18n.number(gateway.duplicadas), i18n.number(rejectedCount(gateway.rejeitadas)), i18n.number(gateway.emAndamento), latency(gateway.latenciaP99Ms), i18n.dateTime(gateway.publicadoEm)])}
        footer=${[i18n.t('gateway.total'), i18n.number(total.leiturasPorSegundo, 1), i18n.number(total.gravadas), i18n.number(total.duplicadas), i18n.number(rejectedCount(total.rejeitadas)), i18n.number(total.emAndamento), latency(total.latenciaP99Ms), '']}
      />
      ${rejected.length === 0
        ? html`<p>${i18n.t('gateway.noneRejected')}</p>`
        : html`<${DataTable} caption=${i18n.t('gateway.rejectedBy')} headers=${[i18n.t('gateway.reason'), i18n.t('gateway.count')]} rows=${rejected.map(([code, count]) => [`${i18n.rejection(code)} (${code})`, i18n.number(count)])} />`}`;
  };
  // aria-live off: a region that re-announces itself every 5 s would drown a screen reader; the summary line is there to read.
  return html`<section class="card wide" aria-labelledby="gateway-title">
    <h2 id="gateway-title">${i18n.t('gateway.heading')}</h2>
    <p>${i18n.t('gateway.auto', { seconds: REFRESH_MS / 1000 })}</p>
    ${body()}
  </section>`;
}
