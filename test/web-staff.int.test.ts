// The staff console and the history screen in a real browser: every staff action, drill-down, alarm; axe on each screen.
import type { Page } from 'playwright-core';
import { newSecret } from '../core/access';
import { startGateway } from '../dev/gateway';
import { customerWithMeters, gatewayEnv, newCpf, post, registeredCustomer, staffKey } from './fixtures';
import { udpClient } from './udp';
import { axeViolations, newPage, screenshots, startWebUnderTest, type WebUnderTest } from './browser';
import { monthBack } from './pdfText';

let web: WebUnderTest;
beforeAll(async () => void (web = await startWebUnderTest()), 120_000);
afterAll(() => web?.stop());

async function staffSignIn(page: Page): Promise<void> {
  await page.getByLabel('Sou da equipe').check();
  await page.getByLabel('Chave da equipe').fill(staffKey());
  await page.getByRole('button', { name: 'Entrar' }).click();
  await page.getByRole('heading', { level: 2, name: 'Console da equipe' }).waitFor();
}

describe('staff console', () => {
  it('registers a customer (token shown once) and a meter (secret shown once), rotates both, closes a month', async () => {
    const page = await newPage(web);
    await staffSignIn(page);
    const cpf = newCpf();
    const customerCard = page.getByRole('region', { name: 'Cadastrar cliente' });
    await customerCard.getByLabel('CPF').fill(cpf);
    await customerCard.getByLabel('Nome completo').fill('João Conceição');
    await customerCard.getByRole('button', { name: 'Cadastrar' }).click();
    const token = await customerCard.locator('[data-secret]').innerText();
    expect(token).toMatch(/^luz_[A-Za-z0-9_-]{43}$/);
    expect(await customerCard.getByRole('status').innerText()).toContain('Anote agora: ele é mostrado uma única vez.');
    await customerCard.getByRole('button', { name: 'Copiar' }).click();
    await customerCard.getByText('Copiado').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(token);

    const meterCard = page.getByRole('region', { name: 'Cadastrar medidor' });
    await meterCard.getByLabel('CPF').fill(cpf);
    await meterCard.getByRole('button', { name: 'Cadastrar' }).click();
    await meterCard.getByText(/^Medidor 1 cadastrado para o CPF/).waitFor();
    expect(await meterCard.locator('[data-secret]').innerText()).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const tokenCard = page.getByRole('region', { name: 'Novo token de cliente' });
    await tokenCard.getByLabel('CPF').fill(cpf);
    await tokenCard.getByRole('button', { name: 'Emitir' }).click();
    await tokenCard.getByText(/o anterior deixou de funcionar/).waitFor();
    expect(await tokenCard.locator('[data-secret]').innerText()).not.toBe(token);

    const secretCard = page.getByRole('region', { name: 'Novo segredo de medidor' });
    await secretCard.getByLabel('CPF').fill(cpf);
    await secretCard.getByLabel('Número do medidor').fill('1');
    await secretCard.getByRole('button', { name: 'Emitir' }).click();
    await secretCard.getByText(/^Novo segredo do medidor 1/).waitFor();

    const last = monthBack(1);
    expect((await post('/postConsumo', { id: cpf, id_medidor: 1, valor: 10, timestamp: last.middle })).status).toBe(201);
    const closeCard = page.getByRole('region', { name: 'Fechar fatura do mês' });
    await closeCard.getByLabel('CPF').fill(cpf);
    await closeCard.getByLabel('Mês (AAAA-MM)').fill(last.key);
    await closeCard.getByRole('button', { name: 'Fechar fatura' }).click();
    await closeCard.getByText(/Fatura \d{6}-\d{11} fechada: R\$ 10,70, vencimento \d{2}\/\d{2}\/\d{4}\./).waitFor();
    // Closing it again is refused in words.
    await closeCard.getByRole('button', { name: 'Fechar fatura' }).click();
    expect(await closeCard.getByRole('alert').innerText()).toBe('A fatura deste mês já está fechada.');
    expect(await axeViolations(page)).toEqual({});
    await screenshots(page, 'console');
  });

  it('lists customers in alarm and silent meters', async () => {
    const customer = await registeredCustomer(1, 'Alarme Teste');
    expect((await post('/postConsumo', { id: customer.id, id_medidor: 1, valor: 1500, timestamp: Date.now() / 1000 - 60 })).status).toBe(201);
    const page = await newPage(web);
    await staffSignIn(page);
    const table = page.getByRole('table', { name: 'Clientes em alarme' });
    const masked = `${customer.id.slice(0, 3)}.${customer.id.slice(3, 6)}.${customer.id.slice(6, 9)}-${customer.id.slice(9)}`;
    await table.getByText(masked).first().waitFor();
    expect(await table.getByRole('row').filter({ hasText: masked }).allInnerTexts()).toEqual(
      expect.arrayContaining([expect.stringMatching(/Consumo mensal acima do limite/)]),
    );
    expect(await axeViolations(page)).toEqual({});
  });
});

describe('live gateway figures', () => {
  it('shows a real gateway\'s figures (readings over UDP), their total and the rejections by reason in words, refreshing by itself', async () => {
    const instance = `web-${newSecret().slice(0, 8)}`;
    const gateway = await startGateway({
      env: gatewayEnv({ GATEWAY_PUBLISH_SECONDS: '1', GATEWAY_INSTANCE_ID: instance }),
      stdio: 'pipe',
    });
    try {
      const page = await newPage(web);
      await staffSignIn(page);
      const panel = page.getByRole('region', { name: 'Gateway UDP ao vivo' });
      await panel.getByText('Atualiza sozinho a cada 5 s.').waitFor();
      const table = panel.getByRole('table', { name: 'Números por instância' });
      const row = table.getByRole('row').filter({ hasText: instance });
      await row.waitFor();
      // Readings arrive after the page opened: the panel shows them without being asked.
      const id = await customerWithMeters(1);
      const client = await udpClient(gateway.port!);
      try {
        const now = Math.floor(Date.now() / 1000);
        for (const offset of [300, 200, 100]) client.send(`${id},1,1.25,${now - offset}`);
        client.send(`${id},1,1.25,${now - 100}`);
        client.send(`${id},1,abc,${now}`);
        await client.replies(5);
      } finally {
        await client.close();
      }
      // Columns: readings/s, stored, duplicates, rejected, in flight, p99, updated at.
      const counts = async () => (await row.getByRole('cell').allInnerTexts()).slice(1, 5);
      const deadline = Date.now() + 20_000;
      while (JSON.stringify(await counts()) !== JSON.stringify(['3', '1', '1', '0']) && Date.now() < deadline) await page.waitForTimeout(250);
      expect(await counts()).toEqual(['3', '1', '1', '0']);
      expect(await table.locator('tfoot').innerText()).toMatch(/^Total\t/);
      const reasons = panel.getByRole('table', { name: 'Rejeitadas por motivo' });
      expect(await reasons.getByRole('row').filter({ hasText: 'Dado inválido (invalid_input)' }).count()).toBe(1);
      expect(await panel.getByText(/^Instâncias no ar: \d+; [\d.,]+ leituras\/s, [\d.]+ gravadas, [\d.]+ rejeitadas\.$/).count()).toBe(1);
      expect(await axeViolations(page)).toEqual({});
      await screenshots(page, 'console-gateway');
    } finally {
      await gateway.stop();
    }
  });
});

describe('history and alarm screens', () => {
  it('shows 12 months in kWh and R$, drills down to a month and a day, compares, exports CSV; the alarm says why', async () => {
    const customer = await registeredCustomer(2, 'Histórico Teste');
    const now = Date.now() / 1000;
    for (const [meter, valor, time] of [[1, 600, now - 120], [2, 500, now - 60], [1, 20, monthBack(1).middle]] as const) {
      expect((await post('/postConsumo', { id: customer.id, id_medidor: meter, valor, timestamp: time })).status).toBe(201);
    }
    const page = await newPage(web);
    await page.getByLabel('CPF').fill(customer.id);
    await page.getByLabel('Token de acesso').fill(customer.token);
    await page.getByRole('button', { name: 'Entrar' }).click();
    await page.getByRole('button', { name: 'Histórico' }).click();
    const table = page.getByRole('table', { name: 'Dados do gráfico: Últimos 12 meses' });
    await table.waitFor();
    const rows = await table.getByRole('row').allInnerTexts();
    expect(rows).toHaveLength(14); // header, 12 months, total
    expect(rows[12]).toMatch(/\t1\.100\tR\$ 1\.177,00$/);
    expect(rows[11]).toMatch(/\t20\tR\$ 21,40$/);
    expect(rows[13]).toBe('Total\t1.120\tR$ 1.198,40');
    expect(await axeViolations(page)).toEqual({});
    await screenshots(page, 'portal-history');

    // Meter 2 alone.
    await page.getByRole('combobox', { name: /^Medidor/ }).selectOption('2');
    // One meter's kWh only: the money column goes (the bill is per customer).
    await table.getByRole('columnheader', { name: 'R$ (estimado)' }).waitFor({ state: 'detached' });
    expect(await table.getByRole('row').nth(12).innerText()).toMatch(/\t500$/);
    await page.getByRole('combobox', { name: /^Medidor/ }).selectOption('all');
    await table.getByRole('columnheader', { name: 'R$ (estimado)' }).waitFor();
    expect(await table.getByRole('row').nth(12).innerText()).toMatch(/\tR\$ 1\.177,00$/);

    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Exportar CSV' }).click()]);
    const text = await (await import('node:fs')).promises.readFile(await csv.path(), 'utf8');
    expect(text.split('\r\n')[12]).toMatch(/^\d{4}-\d{2};1\.100;1\.177$/);

    // Drill into the current month, then into today.
    await table.getByRole('button', { name: /^Abrir / }).last().click();
    const month = page.getByRole('table', { name: /^Dados do gráfico: [a-zç]+ de \d{4}$/ });
    await month.waitFor();
    expect(await page.getByText(/^Período anterior: 20 kWh \(\+5\.400%\)$/).count()).toBe(1);
    expect(await page.getByText(/^Mesmo período um ano antes: 0 kWh \(sem dados\)$/).count()).toBe(1);
    const withData = month.getByRole('row').filter({ hasText: /1\.100$/ });
    await withData.getByRole('button').click();
    await page.getByRole('table', { name: /^Dados do gráfico: Dia \d{2}\/\d{2}\/\d{4}$/ }).waitFor();
    expect(await page.getByText('Total do período: 1.100 kWh').count()).toBe(1);
    expect(await axeViolations(page)).toEqual({});

    await page.getByRole('button', { name: 'Alarme' }).click();
    await page.getByText('Excesso! Alarme ativo').waitFor();
    expect(await page.getByText('O consumo deste mês (1.100 kWh) passou do limite de 1.000 kWh.').count()).toBe(1);
    expect(await axeViolations(page)).toEqual({});
    await screenshots(page, 'portal-alarm');
  });
});
