// The segunda via: a closed invoice as a PDF (pdfkit, Inter embedded so ç/ã/é print), with the last 12 months of consumption.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import PDFDocument from 'pdfkit';
import { createI18n } from '../i18n/index';
import { InvoiceNotClosed } from './billing';
import type { Context } from './context';
import { formatCpf } from './cpf';
import { CustomerNotFound } from './errors';
import type { Invoice } from './model';
import { monthPeriod } from './periods';

/** Inter (SIL OFL) from @fontsource/inter; the Lambda package carries these two files (serverless.yml). */
export const FONT_FILES = {
  regular: 'node_modules/@fontsource/inter/files/inter-latin-400-normal.woff',
  bold: 'node_modules/@fontsource/inter/files/inter-latin-700-normal.woff',
};

let fonts: { regular: Buffer; bold: Buffer } | undefined;
const loadFonts = () => (fonts ??= { regular: readFileSync(resolve(FONT_FILES.regular)), bold: readFileSync(resolve(FONT_FILES.bold)) });

/** The 12 month keys ending at `month` (YYYY-MM), oldest first. */
export function twelveMonthsTo(month: string): string[] {
  const [year, number] = month.split('-').map(Number);
  return Array.from({ length: 12 }, (_, index) => {
    const at = year * 12 + number - 1 - (11 - index);
    return `${Math.floor(at / 12)}-${String((at % 12) + 1).padStart(2, '0')}`;
  });
}

export interface PdfData {
  invoice: Invoice;
  customerName: string;
  months: { mes: string; kwh: number }[];
  timeZone: string;
}

/** faturaPdf: the PDF of a closed month's invoice. */
export async function invoicePdf(context: Context, customerId: string, month: string): Promise<Buffer> {
  monthPeriod(month, context.settings.timeZone); // validates the month
  const months = twelveMonthsTo(month);
  const [customer, record, sums] = await Promise.all([
    context.repository.getCustomer(customerId),
    context.repository.getInvoiceRecord(customerId, month),
    context.repository.sumBuckets(customerId, 'month', months[0], months[11]),
  ]);
  if (!customer) throw new CustomerNotFound(customerId);
  if (!record) throw new InvoiceNotClosed(month);
  return renderInvoicePdf({
    invoice: record.invoice,
    customerName: customer.name,
    months: months.map((mes) => ({ mes, kwh: sums.get(mes)?.toNumber() ?? 0 })),
    timeZone: context.settings.timeZone,
  });
}

const MARGIN = 50;
const WIDTH = 595.28 - 2 * MARGIN; // A4

/** Pure rendering: the same data always draws the same bill. */
export function renderInvoicePdf(data: PdfData): Promise<Buffer> {
  const i18n = createI18n('pt-BR', data.timeZone);
  const { invoice } = data;
  const { regular, bold } = loadFonts();
  const doc = new PDFDocument({ size: 'A4', margin: MARGIN, // pdfkit takes a font's bytes as well as a path (its types say path only); no built-in Helvetica, which is never embedded.
    font: regular as unknown as string,
    info: { Title: `Fatura ${invoice.numero ?? invoice.mes}`, Author: 'Luz' } });
  doc.registerFont('regular', regular);
  doc.registerFont('bold', bold);
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((ready) => doc.on('end', () => ready(Buffer.concat(chunks))));

  doc.font('bold').fontSize(18).text('Luz — Segunda via da fatura de energia elétrica');
  doc.moveDown(0.5).font('regular').fontSize(10);
  const facts: [string, string][] = [
    ['Cliente', data.customerName],
    ['CPF', formatCpf(invoice.id)],
    ['Mês de referência', i18n.month(invoice.mes)],
    ['Número da fatura', invoice.numero ?? '—'],
    ['Emissão', invoice.emissao ? i18n.date(invoice.emissao) : '—'],
    ['Vencimento', invoice.vencimento ? i18n.date(invoice.vencimento) : '—'],
    ['Tarifa', invoice.tarifa],
    ['Consumo medido', i18n.kwh(invoice.kwh)],
  ];
  for (const [label, value] of facts) doc.font('bold').text(`${label}: `, { continued: true }).font('regular').text(value);
  if (invoice.medidores.length > 0) {
    doc.text(`Consumo por medidor: ${invoice.medidores.map((meter) => `medidor ${meter.id_medidor}: ${i18n.kwh(meter.kwh)}`).join('; ')}`);
  }

  // Lines: description, quantity, unit price, amount.
  doc.moveDown();
  const columns = [0, 250, 350, 440];
  const row = (cells: string[], font: 'regular' | 'bold') => {
    const y = doc.y;
    doc.font(font);
    cells.forEach((cell, index) => {
      const x = MARGIN + columns[index];
      const width = (columns[index + 1] ?? WIDTH) - columns[index] - 6;
      doc.text(cell, x, y, { width, align: index === 0 ? 'left' : 'right' });
    });
    doc.x = MARGIN;
    doc.moveDown(0.3);
  };
  row(['Descrição', 'Quantidade', 'Preço unitário', 'Valor'], 'bold');
  for (const line of invoice.itens) {
    const money = line.unidade === 'R$';
    row(
      [
        line.descricao,
        money ? i18n.money(line.quantidade) : `${i18n.number(line.quantidade)} ${line.unidade}`,
        money ? `${i18n.number(line.precoUnitario * 100, 4)}%` : `${i18n.money(line.precoUnitario, 6)}/${line.unidade}`,
        i18n.money(line.valor),
      ],
      'regular',
    );
  }
  doc.moveTo(MARGIN, doc.y).lineTo(MARGIN + WIDTH, doc.y).stroke();
  doc.moveDown(0.3);
  row(['Total a pagar', '', '', i18n.money(invoice.valor)], 'bold');

  // The last 12 months as bars with their kWh, as Brazilian bills print them.
  doc.moveDown();
  doc.font('bold').fontSize(12).text('Histórico de consumo (últimos 12 meses, kWh)', MARGIN);
  const top = doc.y + 10;
  const height = 120;
  const max = Math.max(1, ...data.months.map((entry) => entry.kwh));
  const slot = WIDTH / data.months.length;
  doc.font('regular').fontSize(7);
  data.months.forEach((entry, index) => {
    const barHeight = (entry.kwh / max) * height;
    const x = MARGIN + index * slot + slot * 0.15;
    doc.rect(x, top + height - barHeight, slot * 0.7, barHeight).fill(entry.mes === invoice.mes ? '#0b3d6e' : '#7a9cc6');
    doc.fillColor('#000').text(i18n.number(entry.kwh, 1), MARGIN + index * slot, top + height - barHeight - 10, { width: slot, align: 'center' });
    doc.text(i18n.shortMonth(entry.mes), MARGIN + index * slot, top + height + 4, { width: slot, align: 'center' });
  });
  doc.x = MARGIN;
  doc.y = top + height + 24;
  doc.fontSize(8).text('Documento emitido pela Luz. Em caso de dúvida, fale com a distribuidora.', MARGIN);
  doc.end();
  return done;
}
