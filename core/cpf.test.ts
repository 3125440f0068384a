import { InvalidInput } from './errors';
import { formatCpf, isValidCpf, maskCpf, parseCpf, withCheckDigits } from './cpf';

describe('CPF', () => {
  it.each([
    ['bare digits', '12345678909', '12345678909'],
    ['masked', '123.456.789-09', '12345678909'],
    ['masked with surrounding spaces', ' 529.982.247-25 ', '52998224725'],
    ['first check digit computed as 0 (remainder 10)', '11144477735', '11144477735'],
  ])('accepts %s', (_title, input, stored) => {
    expect(parseCpf(input)).toBe(stored);
  });

  it.each([
    ['wrong first check digit', '12345678919', 'CPF check digits do not match'],
    ['wrong second check digit', '12345678908', 'CPF check digits do not match'],
    ['all equal digits (passes the arithmetic, still invalid)', '11111111111', 'CPF check digits do not match'],
    ['ten digits', '1234567890', 'CPF must be 11 digits, bare or as 000.000.000-00'],
    ['half a mask', '123.456.78909', 'CPF must be 11 digits, bare or as 000.000.000-00'],
    ['letters', '1234567890a', 'CPF must be 11 digits, bare or as 000.000.000-00'],
    ['empty', '', 'CPF must be 11 digits, bare or as 000.000.000-00'],
  ])('rejects %s', (_title, input, message) => {
    expect(() => parseCpf(input)).toThrow(new InvalidInput(message, 'id'));
  });

  it('rejects non-strings naming the field', () => {
    const attempt = () => parseCpf(12345678909, 'cpf');
    expect(attempt).toThrow(InvalidInput);
    try {
      attempt();
    } catch (error) {
      expect((error as InvalidInput).field).toBe('cpf');
    }
  });

  it('every all-equal-digit CPF is invalid', () => {
    for (let d = 0; d <= 9; d++) expect(isValidCpf(String(d).repeat(11))).toBe(false);
  });

  it('completes nine digits with the check digits', () => {
    expect(withCheckDigits('123456789')).toBe('12345678909');
    expect(withCheckDigits('529982247')).toBe('52998224725');
  });

  it('formats and masks for display and logs', () => {
    expect(formatCpf('12345678909')).toBe('123.456.789-09');
    expect(maskCpf('12345678909')).toBe('***.***.***-09');
  });
});
