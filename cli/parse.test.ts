// The CLI's argument parsers: what a person may type, and the message when it is wrong (pt-BR by default, English here but for the first case).
import { cliWords } from '../i18n/cli';
import { argumentParsers } from './parse';

const {
  connection: connectionArgument,
  cpf: cpfArgument,
  interval: intervalArgument,
  kind: kindArgument,
  kwh: kwhArgument,
  meter: meterArgument,
  month: monthArgument,
  url: urlArgument,
  when: whenArgument,
} = argumentParsers(cliWords('en', 'America/Bahia').say);

describe('messages in Portuguese by default', () => {
  const pt = argumentParsers(cliWords('pt-BR', 'America/Bahia').say);
  it.each([
    [() => pt.cpf('12345678900'), 'os dígitos verificadores do CPF não conferem'],
    [() => pt.cpf('1234'), 'o CPF tem 11 dígitos, puros ou como 000.000.000-00'],
    [() => pt.kwh('-1'), 'kWh é um número como 1.5 ou 1,5 (sem separador de milhar)'],
    [() => pt.month('2026-13'), 'o mês é AAAA-MM, por exemplo 2026-11'],
    [() => pt.when('ontem', 0, 'America/Bahia'), 'a data é ISO-8601 (2026-11-25T14:30, 2026-11-25T14:30:00-03:00), DD/MM/AAAA HH:MM, segundos Unix ou agora'],
    [() => pt.when('31/04/2026', 0, 'America/Bahia'), 'essa data não existe'],
  ])('%#: %s', (parse, message) => expect(parse).toThrow(message));
});

const NOW = Date.parse('2026-11-25T12:00:00Z');

describe('cpfArgument', () => {
  it.each([
    ['123.456.789-09', '12345678909'],
    ['12345678909', '12345678909'],
    [' 12345678909 ', '12345678909'],
  ])('accepts %j as %s', (input, digits) => expect(cpfArgument(input)).toBe(digits));

  it.each([
    ['12345678900', 'CPF check digits do not match'],
    ['11111111111', 'CPF check digits do not match'],
    ['1234567890', 'CPF must be 11 digits, bare or as 000.000.000-00'],
    ['123.456.78909', 'CPF must be 11 digits, bare or as 000.000.000-00'],
  ])('rejects %j: %s', (input, message) => expect(() => cpfArgument(input)).toThrow(message));
});

describe('kwhArgument', () => {
  it.each([
    ['1.5', 1.5],
    ['1,5', 1.5],
    ['0', 0],
    ['1200', 1200],
  ])('reads %j as %d', (input, value) => expect(kwhArgument(input)).toBe(value));

  it.each(['-1', '1.234,5', 'abc', '', '1e3'])('rejects %j', (input) =>
    expect(() => kwhArgument(input)).toThrow('kWh is a number such as 1.5 or 1,5 (no thousands separator)'),
  );
});

describe('small arguments', () => {
  it('meter ids start at 1', () => {
    expect(meterArgument('2')).toBe(2);
    expect(() => meterArgument('0')).toThrow('a meter id is a whole number from 1');
    expect(() => meterArgument('1.5')).toThrow('a meter id is a whole number from 1');
  });

  it('months are YYYY-MM with a real month', () => {
    expect(monthArgument('2026-02')).toBe('2026-02');
    expect(() => monthArgument('2026-13')).toThrow('a month is YYYY-MM, e.g. 2026-11');
    expect(() => monthArgument('11/2026')).toThrow('a month is YYYY-MM, e.g. 2026-11');
  });

  it('the connection type may be written with accents', () => {
    expect(connectionArgument('Monofásico')).toBe('monofasico');
    expect(connectionArgument('trifasico')).toBe('trifasico');
    expect(() => connectionArgument('quadrifasico')).toThrow('the connection is monofasico, bifasico or trifasico');
  });

  it('kind is D, M or Y in any case', () => {
    expect(kindArgument('m')).toBe('M');
    expect(() => kindArgument('W')).toThrow('kind is D (day), M (month) or Y (year)');
  });

  it.each([
    ['30s', 30_000],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['1500ms', 1500],
    ['45', 45_000],
  ])('interval %s is %d ms', (input, ms) => expect(intervalArgument(input)).toBe(ms));

  it('an interval under a second is refused', () => {
    expect(() => intervalArgument('500ms')).toThrow('the interval must be at least 1s');
    expect(() => intervalArgument('soon')).toThrow('an interval is a number with a unit: 30s, 2m, 1h');
  });

  it('the URL keeps a path prefix (API Gateway stage) and loses the trailing slash', () => {
    expect(urlArgument('https://abc.execute-api.sa-east-1.amazonaws.com/dev/')).toBe('https://abc.execute-api.sa-east-1.amazonaws.com/dev');
    expect(urlArgument('http://localhost:8888')).toBe('http://localhost:8888');
    expect(() => urlArgument('localhost:8888')).toThrow('the URL must start with http:// or https://');
    expect(() => urlArgument('not a url')).toThrow('not a URL, e.g. http://localhost:8888');
  });
});

describe('whenArgument (zone-less dates are read in the Luz zone)', () => {
  const zone = 'America/Bahia';

  it.each([
    ['now', NOW / 1000],
    ['agora', NOW / 1000],
    ['1764072000.5', 1764072000.5],
    ['2026-11-25T14:30:00Z', Date.parse('2026-11-25T14:30:00Z') / 1000],
    ['2026-11-25T14:30:00-03:00', Date.parse('2026-11-25T17:30:00Z') / 1000],
    ['2026-11-25T14:30', Date.parse('2026-11-25T17:30:00Z') / 1000],
    ['2026-11-25 14:30:15.250', Date.parse('2026-11-25T17:30:15.250Z') / 1000],
    ['2026-11-25', Date.parse('2026-11-25T03:00:00Z') / 1000],
    ['25/11/2026 14:30', Date.parse('2026-11-25T17:30:00Z') / 1000],
    ['29/02/2024', Date.parse('2024-02-29T03:00:00Z') / 1000],
  ])('%s', (input, seconds) => expect(whenArgument(input, NOW, zone)).toBe(seconds));

  it('São Paulo in 2018 had summer time: the offset of that date is used', () => {
    expect(whenArgument('2018-12-01T12:00', NOW, 'America/Sao_Paulo')).toBe(Date.parse('2018-12-01T14:00:00Z') / 1000);
  });

  it.each(['2026-02-30', '31/04/2026', '2026-11-25T24:00', '2026-02-30T10:00:00Z'])('%s is not a real date', (input) =>
    expect(() => whenArgument(input, NOW, zone)).toThrow('not a real date'),
  );

  it('anything else names the accepted forms', () => {
    expect(() => whenArgument('yesterday', NOW, zone)).toThrow(
      'a date is ISO-8601 (2026-11-25T14:30, 2026-11-25T14:30:00-03:00), DD/MM/YYYY HH:MM, Unix seconds or now',
    );
  });
});
