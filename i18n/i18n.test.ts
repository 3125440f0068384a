// The catalogs and formats: pt-BR by default, R$ 1.234,56, dd/mm/aaaa in LUZ_TZ, reasons from codes.
import { en } from './en';
import { createI18n, languageFromEnv, pickLanguage } from './index';
import { ptBR } from './pt-BR';

const pt = createI18n('pt-BR', 'America/Bahia');
const english = createI18n('en', 'America/Bahia');

describe('i18n', () => {
  it('both catalogs have the same keys and no empty text', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(ptBR).sort());
    for (const text of [...Object.values(en), ...Object.values(ptBR)]) expect(text.trim()).not.toBe('');
  });

  it.each([
    [['en-US', 'pt-BR'], 'en'],
    [['pt-PT'], 'pt-BR'],
    [['fr-FR', 'de'], 'pt-BR'],
    [[], 'pt-BR'],
    [[undefined, 'en_GB.UTF-8'], 'en'],
  ])('pickLanguage(%j) is %s', (candidates, expected) => {
    expect(pickLanguage(candidates)).toBe(expected);
  });

  it('LANG=C says nothing (pt-BR); LC_ALL wins over LANG', () => {
    expect(languageFromEnv({ LANG: 'C.UTF-8' })).toBe('pt-BR');
    expect(languageFromEnv({ LANG: 'en_US.UTF-8' })).toBe('en');
    expect(languageFromEnv({ LANG: 'en_US.UTF-8', LC_ALL: 'pt_BR.UTF-8' })).toBe('pt-BR');
  });

  it('money as R$ 1.234,56 with plain spaces; English keeps reais', () => {
    expect(pt.money(1234.56)).toBe('R$ 1.234,56');
    expect(pt.money(0.65432, 6)).toBe('R$ 0,65432');
    expect(english.money(1234.56)).toBe('R$1,234.56');
    expect(pt.kwh(1234.5)).toBe('1.234,5 kWh');
  });

  it('dates as dd/mm/aaaa in America/Bahia: 02:30 UTC on the 1st is still the 30th of the month before', () => {
    expect(pt.date('2026-12-01T02:30:00Z')).toBe('30/11/2026');
    expect(pt.dateTime('2026-12-01T02:30:00Z')).toBe('30/11/2026 23:30');
    expect(pt.date('2026-12-15')).toBe('15/12/2026');
    expect(english.date('2026-12-15')).toBe('15/12/2026');
    expect(pt.month('2026-03')).toBe('março de 2026');
    expect(english.month('2026-03')).toBe('March 2026');
    expect(pt.shortMonth('2026-03')).toBe('mar/2026');
  });

  it('alarm reasons in words from the rule and its numbers', () => {
    expect(pt.reason({ regra: 'total_mensal', valor: 1200.5, limite: 1000, mensagem: 'consumption this month…' })).toBe(
      'O consumo deste mês (1.200,5 kWh) passou do limite de 1.000 kWh.',
    );
    expect(pt.reason({ regra: 'medidor_silencioso', id_medidor: 2, minutosSemLeitura: 240, ultimaLeitura: null })).toBe(
      'O medidor 2 não enviou nenhuma leitura desde o cadastro (240 minutos); pode estar com defeito ou desligado.',
    );
    expect(english.reason({ regra: 'leitura_individual', id_medidor: 1, valor: 1500, limite: 1000, timestamp: 1764572400 })).toBe(
      'Meter 1 reported 1,500 kWh in one reading at 01/12/2025 04:00, above the limit of 1,000 kWh.',
    );
    expect(pt.reason({ regra: 'nova_regra', mensagem: 'from the API' })).toBe('from the API');
  });

  it('errors from their codes: 403, validation with the field, and an unknown one with its status', () => {
    expect(pt.error({ status: 403, code: 'forbidden', message: "a customer token only opens that customer's own data" })).toBe(
      'Este token não dá acesso aos dados deste CPF.',
    );
    expect(pt.error({ status: 400, code: 'invalid_input', field: 'id', message: 'id: CPF check digits do not match' })).toBe(
      'Dado inválido (CPF): CPF check digits do not match',
    );
    expect(pt.error({ status: 401 })).toBe('Credencial recusada: token ou chave desconhecido, expirado ou revogado.');
    expect(pt.error({ status: 418, code: 'teapot', message: 'short and stout' })).toBe('Erro 418: short and stout');
  });
});
