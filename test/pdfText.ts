// Reading a PDF back as text (pdftotext, poppler-utils), and the month keys the invoice tests use.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The month key `back` months before now in America/Bahia, and a Unix time in its middle. */
export function monthBack(back: number): { key: string; middle: number } {
  const now = new Date(Date.now() - 3 * 3600_000);
  const date = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 15, 15));
  return { key: date.toISOString().slice(0, 7), middle: date.getTime() / 1000 };
}

/** The text of a PDF, as pdftotext reads it (layout kept, so columns stay on their line). */
export function pdfText(bytes: Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), 'luz-pdf-'));
  try {
    const file = join(dir, 'fatura.pdf');
    writeFileSync(file, bytes);
    return execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

