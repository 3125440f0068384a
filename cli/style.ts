// Terminal colour: decided once per stream (NO_COLOR, FORCE_COLOR, TTY), then applied through plain functions.
import { styleText } from 'node:util';

type Paint = (text: string) => string;

export interface Style {
  readonly enabled: boolean;
  bold: Paint;
  dim: Paint;
  red: Paint;
  green: Paint;
  yellow: Paint;
  cyan: Paint;
  /** Red and bold: the alarm and error headline. */
  alert: Paint;
  /** Green and bold: the all-clear headline. */
  ok: Paint;
}

/**
 * Colour only where a person reads it: never when NO_COLOR is set (no-color.org, it wins over
 * everything), always when FORCE_COLOR asks for it (Node's convention), otherwise on a terminal.
 */
export function wantsColour(env: NodeJS.ProcessEnv, stream: { isTTY?: boolean }): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '') return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  return Boolean(stream.isTTY) && env.TERM !== 'dumb';
}

export function createStyle(enabled: boolean): Style {
  const paint =
    (...formats: Parameters<typeof styleText>[0][]): Paint =>
    (text) =>
      // The choice is made above, once; styleText must not second-guess it against process.stdout.
      enabled ? formats.reduceRight<string>((styled, format) => styleText(format, styled, { validateStream: false }), text) : text;
  return {
    enabled,
    bold: paint('bold'),
    dim: paint('dim'),
    red: paint('red'),
    green: paint('green'),
    yellow: paint('yellow'),
    cyan: paint('cyan'),
    alert: paint('bold', 'red'),
    ok: paint('bold', 'green'),
  };
}

/** Removes ANSI escape sequences: widths are measured on what the eye sees. */
export function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, '');
}
