// GET /faturaPdf: the segunda via of a closed invoice as a real PDF, read back with pdftotext (poppler-utils).
import { execFileSync } from 'node:child_process';
import { monthBack, pdfText } from './pdfText';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiUrl, bearer, errorBody, get, post, registeredCustomer, staffKey } from './fixtures';

async function fetchPdf(id: string, mes: string, credential = staffKey()) {
  const response = await fetch(`${apiUrl()}/faturaPdf?id=${id}&mes=${mes}`, { headers: { ...bearer(credential), accept: 'application/pdf' } });
  return { status: response.status, type: response.headers.get('content-type'), disposition: response.headers.get('content-disposition'), bytes: Buffer.from(await response.arrayBuffer()) };
}

describe('GET /faturaPdf', () => {
  it('a closed invoice prints with its total, lines, accents and the last 12 months of consumption', async () => {
    const customer = await registeredCustomer(1, 'Conceição Araújo Gonçalves');
    const last = monthBack(1);
    const earlier = monthBack(3);
    for (const [valor, time] of [[150.5, last.middle], [42, earlier.middle]] as const) {
      expect((await post('/postConsumo', { id: customer.id, id_medidor: 1, valor, timestamp: time })).status).toBe(201);
    }
    expect((await post('/fechaFatura', { id: customer.id, mes: last.key })).status).toBe(201);

    const pdf = await fetchPdf(customer.id, last.key, customer.token);
    expect(pdf.status).toBe(200);
    expect(pdf.type).toBe('application/pdf');
    expect(pdf.disposition).toBe(`attachment; filename="fatura-${last.key}-${customer.id}.pdf"`);
    expect(pdf.bytes.subarray(0, 5).toString()).toBe('%PDF-');
    const text = pdfText(pdf.bytes);
    expect(text).toContain('Conceição Araújo Gonçalves');
    expect(text).toContain('Segunda via da fatura de energia elétrica');
    expect(text).toMatch(/Total a pagar\s+R\$ 161,04/);
    expect(text).toMatch(/Energia consumida\s+150,5 kWh\s+R\$ 1,07\/kWh\s+R\$ 161,04/);
    expect(text).toContain(`Número da fatura: ${last.key.replace('-', '')}-${customer.id}`);
    expect(text).toContain('Histórico de consumo (últimos 12 meses, kWh)');
    // Both months with readings appear among the 12 bars, with their kWh.
    expect(text).toContain('150,5');
    expect(text).toContain('42');
    // The font is embedded (pdffonts lists it as emb yes), not the built-in Helvetica.
    const dir = mkdtempSync(join(tmpdir(), 'luz-pdf-'));
    writeFileSync(join(dir, 'f.pdf'), pdf.bytes);
    const fonts = execFileSync('pdffonts', [join(dir, 'f.pdf')], { encoding: 'utf8' });
    rmSync(dir, { recursive: true, force: true });
    expect(fonts).toMatch(/Inter.*yes/);
    expect(fonts).not.toContain('Helvetica');
  });

  it('409 invoice_open for a month that is not closed, 403 for another customer, 400 without a month', async () => {
    const customer = await registeredCustomer(1);
    const other = await registeredCustomer(1);
    const month = monthBack(0).key;
    expect(await get('/faturaPdf', { id: customer.id, mes: month })).toMatchObject({
      status: 409,
      body: errorBody('invoice_open', `mes: the invoice of ${month} is not closed yet; only a closed invoice has a segunda via`, 'mes'),
    });
    expect((await get('/faturaPdf', { id: other.id, mes: month }, bearer(customer.token))).status).toBe(403);
    expect(await get('/faturaPdf', { id: customer.id })).toMatchObject({ status: 400, body: errorBody('invalid_input', 'mes: is required', 'mes') });
  });
});
