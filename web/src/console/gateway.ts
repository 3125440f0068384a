// Live gateway figures: GET /gatewayStatus every few seconds (each gateway publishes its stats to a table).
import { useEffect, useState } from 'preact/hooks';
import type { I18n } from '../../../i18n/index';
import type { Api, GatewayStatus } from '../api';
import { html } from '../html';
import { DataTable, ErrorNote, Loading } from '../widgets';

const REFRESH_MS = 5000;

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
  const body = () => {
    if (failure !== undefined) return html`<${ErrorNote} i18n=${i18n} error=${failure} />`;
    if (!status) return html`<${Loading} i18n=${i18n} />`;
    if (status.gateways.length === 0) return html`<p>${i18n.t('gateway.none')}</p>`;
    return status.gateways.map((gateway) => {
      const rejected = Object.entries(gateway.rejeitadas);
      return html`<div>
        <${DataTable}
          caption=${`${i18n.t('gateway.instance')} ${gateway.instancia}`}
          headers=${[i18n.t('gateway.instance'), i18n.t('gateway.rate'), i18n.t('gateway.stored'), i18n.t('gateway.duplicates'), i18n.t('gateway.rejected'), i18n.t('gateway.inFlight'), i18n.t('gateway.p99'), i18n.t('gateway.updated')]}
          rows=${[[gateway.instancia, i18n.number(gateway.leiturasPorSegundo, 1), i18n.number(gateway.gravadas), i18n.number(gateway.duplicadas), i18n.number(rejected.reduce((sum, [, count]) => sum + count, 0)), i18n.number(gateway.emAndamento), gateway.latenciaP99Ms === null ? '—' : `${i18n.number(gateway.latenciaP99Ms, 1)} ms`, i18n.dateTime(gateway.publicadoEm)]]}
        />
        ${rejected.length > 0 && html`<${DataTable} caption=${`${i18n.t('gateway.rejected')} · ${gateway.instancia}`} headers=${[i18n.t('gateway.reason'), i18n.t('gateway.count')]} rows=${rejected.map(([reason, count]) => [reason, i18n.number(count)])} />`}
      </div>`;
    });
  };
  return html`<section class="card wide" aria-labelledby="gateway-title" aria-live="polite">
    <h2 id="gateway-title">${i18n.t('gateway.heading')}</h2>
    ${body()}
  </section>`;
}
