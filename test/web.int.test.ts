// The customer portal in a real browser (Debian chromium): sign in, invoice, history, alarm, a refused CPF; axe on each screen.
import type { Page } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { newCpf, post, registeredCustomer } from './fixtures';
import { pdfText } from './pdfText';
import { axeViolations, newPage, pageProblems, screenshots, startWebUnderTest, type WebUnderTest } from './browser';

let web: WebUnderTest;
beforeAll(async () => void (web = await startWebUnderTest()), 120_000);
afterAll(() => web?.stop());

/** The month key `back` months before now in America/Bahia, and a Unix time in the middle of it. */
function monthBack(back: number): { key: string; middle: number } {
  const now = new Date(Date.now() - 3 * 3600_000);
  const date = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 15, 15));
  return { key: date.toISOString().slice(0, 7), middle: date.getTime() / 1000 };
}

async function customerWithHistory(): Promise<{ id: string; token: string; lastMonth: string }> {
  const customer = await registeredCustomer(2, 'Conceição Araújo');
  const last = monthBack(1);
  for (const [meter, valor, time] of [[1, 120.5, last.middle], [2, 30, last.middle + 3600], [1, 12.25, Date.now() / 1000 - 7200]] as const) {
    const stored = await post('/postConsumo', { id: customer.id, id_medidor: meter, valor, timestamp: time });
    if (stored.status !== 201) throw new Error(JSON.stringify(stored.body));
  }
  const closed = await post('/fechaFatura', { id: customer.id, mes: last.key });
  if (closed.status !== 201) throw new Error(JSON.stringify(closed.body));
  return { ...customer, lastMonth: last.key };
}

async function signIn(page: Page, cpf: string, token: string): Promise<void> {
  await page.getByLabel('CPF').fill(cpf);
  await page.getByLabel('Token de acesso').fill(token);
  await page.getByRole('button', { name: 'Entrar' }).click();
}

describe('customer portal', () => {
  it('signs in with CPF and token and shows the current invoice, its lines, meters and the previous invoices, in pt-BR', async () => {
    const customer = await customerWithHistory();
    const page = await newPage(web);
    expect(await axeViolations(page)).toEqual({});
    await signIn(page, customer.id, customer.token);
    const heading = page.getByRole('heading', { level: 2, name: /^Fatura de / });
    await heading.waitFor();
    expect(await heading.textContent()).toMatch(/^Fatura de [a-zç]+ de \d{4}$/);
    // 12,25 kWh × R$ 1,07 = R$ 13,11 (the flat tariff).
    const lines = page.getByRole('table', { name: 'Itens da fatura' });
    expect(await lines.getByRole('row').allInnerTexts()).toEqual([
      'Item\tQuantidade\tPreço unitário\tValor',
      expect.stringMatching(/^.+\t12,25 kWh\tR\$ 1,07\/kWh\tR\$ 13,11$/),
      'Total a pagar\t\t\tR$ 13,11',
    ]);
    expect(await page.getByRole('table', { name: 'kWh por medidor' }).getByRole('row').allInnerTexts()).toEqual([
      'Medidor\tkWh',
      'Medidor 1\t12,25 kWh',
    ]);
    const previous = page.getByRole('table', { name: 'Faturas anteriores' });
    const [year, month] = customer.lastMonth.split('-');
    // 150,5 kWh × 1,07 = 161,035 → R$ 161,04 (half up).
    expect(await previous.getByRole('row').nth(1).innerText()).toMatch(
      new RegExp(`^[a-zç]+ de ${year}\\t${year}${month}-${customer.id}\\t\\d{2}/\\d{2}/\\d{4}\\t150,5 kWh\\tR\\$ 161,04\\t`),
    );
    expect(await axeViolations(page)).toEqual({});
    await screenshots(page, 'portal-invoice');

    await previous.getByRole('button', { name: /^Ver fatura de / }).click();
    await page.getByRole('heading', { level: 2, name: new RegExp(`de ${year}$`) }).filter({ hasText: /Fatura/ }).waitFor();
    await page.getByText('R$ 161,04').first().waitFor();
    expect(await page.getByRole('table', { name: 'kWh por medidor' }).getByRole('row').allInnerTexts()).toEqual([
      'Medidor\tkWh',
      'Medidor 1\t120,5 kWh',
      'Medidor 2\t30 kWh',
    ]);
    expect(pageProblems(page)).toEqual([]);
  });

  it("a token used with another customer's CPF gets the documented refusal and shows nothing of theirs", async () => {
    const customer = await registeredCustomer(1);
    const page = await newPage(web);
    await signIn(page, newCpf(), customer.token);
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').innerText()).toBe('Este token não dá acesso aos dados deste CPF.');
    expect(await page.getByRole('heading', { name: /^Fatura/ }).count()).toBe(0);
    expect(await axeViolations(page)).toEqual({});
  });

  it('an unknown token is refused in words', async () => {
    const page = await newPage(web);
    await signIn(page, newCpf(), `luz_${'x'.repeat(43)}`);
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').innerText()).toBe('Credencial recusada: token ou chave desconhecido, expirado ou revogado.');
  });

  it('speaks English when the browser asks, with the same R$ and dd/mm/yyyy', async () => {
    const customer = await customerWithHistory();
    const page = await newPage(web, { locale: 'en-US' });
    await page.getByLabel('CPF').fill(customer.id);
    await page.getByLabel('Access token').fill(customer.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 2, name: /^Invoice of / }).waitFor();
    expect(await page.getByRole('table', { name: 'Invoice lines' }).getByRole('row').last().innerText()).toBe('Total due\t\t\tR$13.11');
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
  });

  it('keeps the token out of localStorage, URLs and (unless asked) sessionStorage', async () => {
    const customer = await registeredCustomer(1);
    const page = await newPage(web);
    const urls: string[] = [];
    page.on('request', (request) => urls.push(request.url()));
    await signIn(page, customer.id, customer.token);
    await page.getByRole('heading', { level: 2, name: /^Fatura de / }).waitFor();
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
    expect(stored).not.toContain(customer.token);
    expect(urls.filter((url) => url.includes(customer.token))).toEqual([]);
    expect(page.url()).not.toContain(customer.token);
  });

  it('is usable by keyboard alone: sign in, then move between the tabs', async () => {
    const customer = await registeredCustomer(1);
    const page = await newPage(web);
    // Tab from the top: skip link, language, the two roles, CPF, token.
    const focusTo = async (name: string) => {
      for (let step = 0; step < 12; step++) {
        await page.keyboard.press('Tab');
        const label = await page.evaluate(() => {
          const active = document.activeElement as HTMLElement | null;
          return active ? (active.getAttribute('aria-label') ?? (active as HTMLInputElement).labels?.[0]?.innerText ?? active.innerText) : '';
        });
        if (label.trim() === name) return;
      }
      throw new Error(`no control named ${name} reachable by Tab`);
    };
    await focusTo('CPF');
    await page.keyboard.type(customer.id);
    await focusTo('Token de acesso');
    await page.keyboard.type(customer.token);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 2, name: /^Fatura de / }).waitFor();
    await focusTo('Alarme');
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
    expect(outline).not.toBe('none');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 2, name: 'Alarme de consumo' }).waitFor();
  });
});


describe('segunda via in the browser', () => {
  it('downloads the PDF of a closed invoice, with its total and accents', async () => {
    const customer = await customerWithHistory();
    const page = await newPage(web);
    await signIn(page, customer.id, customer.token);
    const previous = page.getByRole('table', { name: 'Faturas anteriores' });
    await previous.waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), previous.getByRole('button', { name: /^Segunda via \(PDF\) de / }).click()]);
    expect(download.suggestedFilename()).toBe(`fatura-${customer.lastMonth}-${customer.id}.pdf`);
    const text = pdfText(readFileSync(await download.path()));
    expect(text).toContain('Conceição Araújo');
    expect(text).toMatch(/Total a pagar\s+R\$ 161,04/);
    expect(pageProblems(page)).toEqual([]);
  });
});
