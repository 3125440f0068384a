// The invoice screen: the current (or chosen) month's lines, total, due date, tariff, kWh per meter; previous invoices; PDF.
import { useState } from 'preact/hooks';
import type { I18n } from '../../../i18n/index';
import type { Api, Invoice, InvoiceLine } from '../api';
import { html } from '../html';
import { DataTable, download, ErrorNote, errorText, Loading, useLoad } from '../widgets';

function quantityCell(i18n: I18n, line: InvoiceLine): string {
  if (typeof line.quantidade !== 'number') return '';
  if (line.unidade === 'R$') return i18n.money(line.quantidade);
  return line.unidade ? `${i18n.number(line.quantidade)} ${line.unidade}` : i18n.number(line.quantidade);
}

function unitPriceCell(i18n: I18n, line: InvoiceLine): string {
  if (typeof line.precoUnitario !== 'number') return '';
  if (line.unidade === 'R$') return `${i18n.number(line.precoUnitario * 100, 4)}%`;
  const price = i18n.money(line.precoUnitario, 6);
  return line.unidade ? `${price}/${line.unidade}` : price;
}

function PdfButton({ i18n, api, cpf, month, label }: { i18n: I18n; api: Api; cpf: string; month: string; label: string }) {
  const [failure, setFailure] = useState<unknown>();
  const save = async () => {
    setFailure(undefined);
    try {
      download(`fatura-${month}-${cpf}.pdf`, await api.invoicePdf(cpf, month));
    } catch (error) {
      setFailure(error);
    }
  };
  return html`<button type="button" onClick=${save}>${label}</button>${failure !== undefined && html`<span class="error" role="alert"> ${errorText(i18n, failure)}</span>`}`;
}

function InvoiceView({ i18n, api, invoice }: { i18n: I18n; api: Api; invoice: Invoice }) {
  const closed = invoice.situacao === 'fechada';
  return html`<section aria-labelledby="invoice-title">
    <h2 id="invoice-title">${i18n.t('invoice.heading', { month: i18n.month(invoice.mes) })}</h2>
    <dl class="facts">
      <div><dt>${i18n.t('invoice.total')}</dt><dd class="total">${i18n.money(invoice.valor)}</dd></div>
      <div><dt>${i18n.t('invoice.due')}</dt><dd>${invoice.vencimento ? i18n.date(invoice.vencimento) : '—'}</dd></div>
      <div><dt>${closed ? i18n.t('invoice.closed') : i18n.t('invoice.open')}</dt><dd>${invoice.numero ?? '—'}</dd></div>
      ${invoice.emissao && html`<div><dt>${i18n.t('invoice.issued')}</dt><dd>${i18n.date(invoice.emissao)}</dd></div>`}
      <div><dt>${i18n.t('invoice.tariff')}</dt><dd>${invoice.tarifa}</dd></div>
      <div><dt>${i18n.t('invoice.consumption')}</dt><dd>${i18n.kwh(invoice.kwh)}</dd></div>
    </dl>
    <${DataTable}
      caption=${i18n.t('invoice.lines')}
      headers=${[i18n.t('invoice.item'), i18n.t('invoice.quantity'), i18n.t('invoice.unitPrice'), i18n.t('invoice.amount')]}
      rows=${invoice.itens.map((line) => [line.descricao, quantityCell(i18n, line), unitPriceCell(i18n, line), i18n.money(line.valor)])}
      footer=${[i18n.t('invoice.total'), '', '', i18n.money(invoice.valor)]}
    />
    ${invoice.medidores.length > 0 &&
    html`<${DataTable}
      caption=${i18n.t('invoice.kwhPerMeter')}
      headers=${[i18n.t('history.meter'), 'kWh']}
      rows=${invoice.medidores.map((meter) => [i18n.t('invoice.meter', { id: meter.id_medidor }), i18n.kwh(meter.kwh)])}
    />`}
    ${closed && html`<p><${PdfButton} i18n=${i18n} api=${api} cpf=${invoice.id} month=${invoice.mes} label=${i18n.t('invoice.pdf')} /></p>`}
  </section>`;
}

export function InvoiceScreen({ i18n, api, cpf }: { i18n: I18n; api: Api; cpf: string }) {
  const [month, setMonth] = useState<string | undefined>(undefined);
  const [invoice] = useLoad(() => api.invoice(cpf, month), [cpf, month]);
  const [list] = useLoad(() => api.invoices(cpf), [cpf]);
  return html`<div>
    ${invoice.state === 'loading' ? html`<${Loading} i18n=${i18n} />` : invoice.state === 'failed' ? html`<${ErrorNote} i18n=${i18n} error=${invoice.error} />` : html`<${InvoiceView} i18n=${i18n} api=${api} invoice=${invoice.value} />`}
    <div>
      <h2>${i18n.t('invoice.previous')}</h2>
      ${list.state === 'loading'
        ? html`<${Loading} i18n=${i18n} />`
        : list.state === 'failed'
          ? html`<${ErrorNote} i18n=${i18n} error=${list.error} />`
          : list.value.faturas.length === 0
            ? html`<p>${i18n.t('invoice.none')}</p>`
            : html`<${DataTable}
                caption=${i18n.t('invoice.previous')}
                headers=${[i18n.t('invoice.month'), i18n.t('invoice.number'), i18n.t('invoice.due'), 'kWh', i18n.t('invoice.amount'), 'PDF']}
                rows=${list.value.faturas.map((summary) => [
                  html`<button type="button" class="link" onClick=${() => setMonth(summary.mes)} aria-label=${i18n.t('invoice.show', { month: i18n.month(summary.mes) })}>${i18n.month(summary.mes)}</button>`,
                  summary.numero,
                  i18n.date(summary.vencimento),
                  i18n.kwh(summary.kwh),
                  i18n.money(summary.valor),
                  html`<${PdfButton} i18n=${i18n} api=${api} cpf=${cpf} month=${summary.mes} label=${i18n.t('invoice.pdfOf', { month: i18n.shortMonth(summary.mes) })} />`,
                ])}
              />`}
    </div>
  </div>`;
}
