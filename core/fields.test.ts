import * as z from './zod';
import { cpfField, kwhField, meterIdField, readingFields, timestampField } from './fields';

const parse = <S extends z.ZodMiniType>(schema: S, value: unknown) => schema.safeParse(value);
const firstMessage = (result: { success: boolean; error?: z.core.$ZodError }) => result.error?.issues[0].message;

describe('field shapes shared by HTTP and UDP', () => {
  it('reads the original client reading: everything as strings, Python float digits', () => {
    expect(
      readingFields.parse({ id: '123.456.789-09', id_medidor: '1', valor: '49.90570014674455', timestamp: '1795608363.3497949' }),
    ).toEqual({ id: '12345678909', id_medidor: 1, valor: 49.90570014674455, timestamp: 1795608363349 });
  });

  it.each([
    ['Unix seconds', 1764072000, 1764072000000],
    ['fractional Unix seconds (sub-ms digits dropped)', 1764072000.5006, 1764072000500],
    ['numeric string', '1764072000', 1764072000000],
    ['ISO with Z', '2025-11-25T12:00:00Z', Date.UTC(2025, 10, 25, 12)],
    ['ISO with offset', '2025-11-25T09:00:00-03:00', Date.UTC(2025, 10, 25, 12)],
    ['ISO with milliseconds', '2025-11-25T12:00:00.250Z', Date.UTC(2025, 10, 25, 12) + 250],
  ])('timestamp: %s', (_title, input, expected) => {
    expect(timestampField.parse(input)).toBe(expected);
  });

  it.each([
    ['ISO without a zone', '2025-11-25T12:00:00'],
    ['a date only', '2025-11-25'],
    ['words', 'ontem'],
    ['infinity', 'Infinity'],
    ['a boolean', true],
    ['null', null],
  ])('timestamp rejects %s', (_title, input) => {
    expect(parse(timestampField, input).success).toBe(false);
  });

  it.each([
    [0, true],
    ['0.001', true],
    [-0.5, false],
    ['-1', false],
    ['1e3', true],
    ['NaN', false],
    ['', false],
    [[1], false],
    [5e-324, false],
    [1e-9, true],
  ])('kWh %p valid: %p', (input, valid) => {
    expect(parse(kwhField, input).success).toBe(valid);
  });

  it('meter ids are whole numbers from 1', () => {
    expect(meterIdField.parse('7')).toBe(7);
    expect(firstMessage(parse(meterIdField, 0))).toBe('must be 1 or more');
    expect(firstMessage(parse(meterIdField, 2.5))).toBe('must be a whole number');
    expect(firstMessage(parse(meterIdField, 'um'))).toBe('must be a number');
  });

  it('a CPF sent as a JSON number keeps its leading zero', () => {
    // 012.345.678-90 is valid; as a number it loses the leading zero.
    expect(cpfField.parse(1234567890)).toBe('01234567890');
    expect(firstMessage(parse(cpfField, 12345678900))).toBe('CPF check digits do not match');
  });
});
