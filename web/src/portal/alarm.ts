// The alarm screen: Ok!/Excesso! in words (never colour alone), each reason from its rule and numbers, recent events.
// A live banner (issue 14's push alarms) can reuse AlarmState.
import type { I18n } from '../../../i18n/index';
import type { Alarm, Api } from '../api';
import { html } from '../html';
import { DataTable, ErrorNote, Loading, useLoad } from '../widgets';

export function AlarmState({ i18n, alarm }: { i18n: I18n; alarm: Alarm }) {
  const excess = alarm.alarme !== 'Ok!';
  return html`<div class=${excess ? 'alarm excess' : 'alarm ok'} role="status">
    <p class="verdict"><span aria-hidden="true">${excess ? '⚠ ' : '✓ '}</span>${i18n.t(excess ? 'alarm.excess' : 'alarm.ok')}</p>
    <p>${i18n.t('alarm.monthKwh', { month: i18n.month(alarm.mes), kwh: i18n.kwh(alarm.kwhMes) })}</p>
  </div>`;
}

export function AlarmScreen({ i18n, api, cpf }: { i18n: I18n; api: Api; cpf: string }) {
  const [alarm] = useLoad(() => api.alarm(cpf), [cpf]);
  if (alarm.state === 'loading') return html`<${Loading} i18n=${i18n} />`;
  if (alarm.state === 'failed') return html`<${ErrorNote} i18n=${i18n} error=${alarm.error} />`;
  const { value } = alarm;
  const ruleOf = (rule: string, meter?: number) => (meter === undefined ? i18n.ruleName(rule) : `${i18n.ruleName(rule)} (${i18n.t('meter', { id: meter })})`);
  return html`<section aria-labelledby="alarm-title">
    <h2 id="alarm-title">${i18n.t('alarm.heading')}</h2>
    <${AlarmState} i18n=${i18n} alarm=${value} />
    ${value.motivos.length > 0 &&
    html`<h3>${i18n.t('alarm.reasons')}</h3>
      <ul class="reasons">${value.motivos.map((reason) => html`<li><strong>${ruleOf(reason.regra, reason.id_medidor)}</strong>: ${i18n.reason(reason)}</li>`)}</ul>`}
    <h3>${i18n.t('alarm.events')}</h3>
    ${value.eventos.length === 0
      ? html`<p>${i18n.t('alarm.none')}</p>`
      : html`<${DataTable}
          caption=${i18n.t('alarm.events')}
          headers=${[i18n.t('alarm.rule'), i18n.t('alarm.from'), i18n.t('alarm.until')]}
          rows=${value.eventos.map((event) => [ruleOf(event.regra, event.id_medidor), i18n.dateTime(event.disparadoEm), event.encerradoEm ? i18n.dateTime(event.encerradoEm) : i18n.t('alarm.ongoing')])}
        />`}
  </section>`;
}
