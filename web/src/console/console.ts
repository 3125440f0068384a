// The staff console: register customers and meters (secrets shown once), rotate them, close invoices, alarms, the gateway.
import { useState } from 'preact/hooks';
import type { I18n } from '../../../i18n/index';
import type { Api } from '../api';
import { html } from '../html';
import { DataTable, ErrorNote, errorText, Loading, useLoad } from '../widgets';
import { GatewayPanel } from './gateway';

const formatCpf = (cpf: string) => (/^\d{11}$/.test(cpf) ? `${cpf.slice(0, 3)}.${cpf.slice(3, 6)}.${cpf.slice(6, 9)}-${cpf.slice(9)}` : cpf);

/** A secret handed out once: readable, selectable, with a copy button, and the warning in words. */
function ShownOnce({ i18n, label, secret }: { i18n: I18n; label: string; secret: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    await navigator.clipboard.writeText(secret);
    setCopied(true);
  };
  return html`<div class="secret">
    <p><strong>${label}:</strong> <code data-secret>${secret}</code></p>
    <p>${i18n.t('console.once')}</p>
    <button type="button" onClick=${copy}>${i18n.t('console.copy')}</button> <span aria-live="polite">${copied ? i18n.t('console.copied') : ''}</span>
  </div>`;
}

type Outcome = { text: string; secret?: { label: string; value: string } } | { error: unknown };

/** One console action: a form, the call, and its outcome (a confirmation, maybe a secret, or the error in words). */
function Action({ i18n, id, title, submitLabel, fields, run }: {
  i18n: I18n; id: string; title: string; submitLabel: string;
  fields: { name: string; label: string; type?: string; options?: [string, string][]; pattern?: string }[];
  run: (values: Record<string, string>) => Promise<Outcome>;
}) {
  const [outcome, setOutcome] = useState<Outcome>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    const values = Object.fromEntries([...new FormData(event.target as HTMLFormElement)].map(([key, value]) => [key, String(value).trim()]));
    setBusy(true);
    setOutcome(undefined);
    try {
      setOutcome(await run(values));
    } catch (error) {
      setOutcome({ error });
    } finally {
      setBusy(false);
    }
  };
  return html`<section class="card" aria-labelledby=${`${id}-title`}>
    <h3 id=${`${id}-title`}>${title}</h3>
    <form onSubmit=${submit}>
      ${fields.map((field) => {
        const inputId = `${id}-${field.name}`;
        return html`<label for=${inputId}>${field.label}</label>
          ${field.options
            ? html`<select id=${inputId} name=${field.name}>${field.options.map(([value, text]) => html`<option value=${value}>${text}</option>`)}</select>`
            : html`<input id=${inputId} name=${field.name} type=${field.type ?? 'text'} pattern=${field.pattern} required />`}`;
      })}
      <button type="submit" disabled=${busy}>${submitLabel}</button>
    </form>
    ${outcome && ('error' in outcome
      ? html`<p class="error" role="alert">${errorText(i18n, outcome.error)}</p>`
      : html`<div role="status"><p>${outcome.text}</p>${outcome.secret && html`<${ShownOnce} i18n=${i18n} label=${outcome.secret.label} secret=${outcome.secret.value} />`}</div>`)}
  </section>`;
}

function Alarms({ i18n, api }: { i18n: I18n; api: Api }) {
  const [loaded, reload] = useLoad(() => api.customersInAlarm(), []);
  const body = () => {
    if (loaded.state === 'loading') return html`<${Loading} i18n=${i18n} />`;
    if (loaded.state === 'failed') return html`<${ErrorNote} i18n=${i18n} error=${loaded.error} />`;
    const rows = loaded.value.clientes.flatMap((customer) =>
      customer.alarmes.map((alarm) => ({ cpf: customer.id, ...alarm })),
    );
    const silent = rows.filter((row) => row.regra === 'medidor_silencioso');
    return html`
      <h3>${i18n.t('console.inAlarm')}</h3>
      ${rows.length === 0 ? html`<p>${i18n.t('console.noneInAlarm')}</p>` : html`<${DataTable}
        caption=${i18n.t('console.inAlarm')}
        headers=${['CPF', i18n.t('alarm.rule'), i18n.t('console.since')]}
        rows=${rows.map((row) => [formatCpf(row.cpf), row.id_medidor === undefined ? i18n.ruleName(row.regra) : `${i18n.ruleName(row.regra)} (${i18n.t('meter', { id: row.id_medidor })})`, i18n.dateTime(row.desde)])}
      />`}
      <h3>${i18n.t('console.silent')}</h3>
      ${silent.length === 0 ? html`<p>${i18n.t('console.noneSilent')}</p>` : html`<${DataTable}
        caption=${i18n.t('console.silent')}
        headers=${['CPF', i18n.t('history.meter'), i18n.t('console.since')]}
        rows=${silent.map((row) => [formatCpf(row.cpf), String(row.id_medidor ?? ''), i18n.dateTime(row.desde)])}
      />`}`;
  };
  return html`<section class="card wide" aria-labelledby="alarms-title">
    <h2 id="alarms-title">${i18n.t('console.inAlarm')} · ${i18n.t('console.silent')}</h2>
    <button type="button" onClick=${reload}>${i18n.t('console.refresh')}</button>
    ${body()}
  </section>`;
}

export function ConsoleScreen({ i18n, api }: { i18n: I18n; api: Api }) {
  const cpf = { name: 'id', label: i18n.t('signin.cpf') };
  return html`<div>
    <h2>${i18n.t('console.heading')}</h2>
    <div class="cards">
      <${Action} i18n=${i18n} id="new-customer" title=${i18n.t('console.customer')} submitLabel=${i18n.t('console.register')}
        fields=${[cpf, { name: 'name', label: i18n.t('console.name') }, { name: 'ligacao', label: i18n.t('console.connection'), options: [['monofasico', i18n.t('console.mono')], ['bifasico', i18n.t('console.bi')], ['trifasico', i18n.t('console.tri')]] }]}
        run=${async (values: Record<string, string>) => {
          const created = await api.registerCustomer(values.id, values.name, values.ligacao);
          return { text: i18n.t('console.customerDone', { name: created.name, cpf: formatCpf(created.id) }), secret: { label: i18n.t('console.token'), value: created.token } };
        }} />
      <${Action} i18n=${i18n} id="new-meter" title=${i18n.t('console.meter')} submitLabel=${i18n.t('console.register')} fields=${[cpf]}
        run=${async (values: Record<string, string>) => {
          const meter = await api.registerMeter(values.id);
          return { text: i18n.t('console.meterDone', { meter: meter.id_medidor, cpf: formatCpf(meter.id) }), secret: { label: i18n.t('console.secret'), value: meter.segredo } };
        }} />
      <${Action} i18n=${i18n} id="rotate-token" title=${i18n.t('console.rotateToken')} submitLabel=${i18n.t('console.issue')} fields=${[cpf]}
        run=${async (values: Record<string, string>) => {
          const issued = await api.newToken(values.id);
          return { text: i18n.t('console.rotateTokenDone', { cpf: formatCpf(issued.id), until: i18n.date(issued.expiresAt) }), secret: { label: i18n.t('console.token'), value: issued.token } };
        }} />
      <${Action} i18n=${i18n} id="rotate-secret" title=${i18n.t('console.rotateSecret')} submitLabel=${i18n.t('console.issue')}
        fields=${[cpf, { name: 'id_medidor', label: i18n.t('console.meterId'), type: 'number' }]}
        run=${async (values: Record<string, string>) => {
          const issued = await api.newSecret(values.id, Number(values.id_medidor));
          return { text: i18n.t('console.rotateSecretDone', { meter: issued.id_medidor, cpf: formatCpf(issued.id) }), secret: { label: i18n.t('console.secret'), value: issued.segredo } };
        }} />
      <${Action} i18n=${i18n} id="close-invoice" title=${i18n.t('console.close')} submitLabel=${i18n.t('console.closeSubmit')}
        fields=${[cpf, { name: 'mes', label: i18n.t('console.closeMonth'), pattern: '\\d{4}-\\d{2}' }]}
        run=${async (values: Record<string, string>) => {
          const invoice = await api.closeInvoice(values.id, values.mes);
          return { text: i18n.t('console.closeDone', { number: invoice.numero ?? '', amount: i18n.money(invoice.valor), due: invoice.vencimento ? i18n.date(invoice.vencimento) : '—' }) };
        }} />
    </div>
    <${Alarms} i18n=${i18n} api=${api} />
    <${GatewayPanel} i18n=${i18n} api=${api} />
  </div>`;
}
