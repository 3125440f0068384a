// CPF: the customer's identity. Accepted masked or bare, stored as 11 digits.
import { InvalidInput } from './errors';

const MASKED = /^\d{3}\.\d{3}\.\d{3}-\d{2}$/;
const BARE = /^\d{11}$/;

function checkDigit(digits: string, length: number): number {
  let sum = 0;
  for (let i = 0; i < length; i++) sum += Number(digits[i]) * (length + 1 - i);
  const rest = (sum * 10) % 11;
  return rest === 10 ? 0 : rest;
}

/** True when an 11-digit string passes both CPF check digits and is not a repeated digit. */
export function isValidCpf(digits: string): boolean {
  if (!BARE.test(digits)) return false;
  if (/^(\d)\1{10}$/.test(digits)) return false;
  return checkDigit(digits, 9) === Number(digits[9]) && checkDigit(digits, 10) === Number(digits[10]);
}

/** Normalises a CPF to 11 digits or throws InvalidInput naming `field`. */
export function parseCpf(input: unknown, field = 'id'): string {
  if (typeof input !== 'string' || !(MASKED.test(input.trim()) || BARE.test(input.trim()))) {
    throw new InvalidInput('CPF must be 11 digits, bare or as 000.000.000-00', field);
  }
  const digits = input.replace(/\D/g, '');
  if (!isValidCpf(digits)) throw new InvalidInput('CPF check digits do not match', field);
  return digits;
}

/** 123.456.789-09 */
export function formatCpf(digits: string): string {
  return `${digits.slice(0, 3)}.${digits.slice(3, 6)}.${digits.slice(6, 9)}-${digits.slice(9)}`;
}

/** For logs: only the last two digits are kept (LGPD). */
export function maskCpf(digits: string): string {
  return `***.***.***-${digits.slice(9)}`;
}

/** Completes 9 digits with their two check digits (fixtures, simulator). */
export function withCheckDigits(nineDigits: string): string {
  const first = checkDigit(nineDigits, 9);
  const ten = nineDigits + String(first);
  return ten + String(checkDigit(ten, 10));
}
