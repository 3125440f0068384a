// What the CLI does, shared by the command line and the interactive menus: one API call, then JSON or a human view.
import { ApiError, UnreachableError, type LuzClient, type PeriodKind } from './api';
import { renderAlarm, renderCustomer, renderHistory, renderInvoice, renderMeter, renderReading } from './format';
import type { Style } from './style';

export interface Session {
  client: LuzClient;
  /** Machine-readable output: the API's JSON body, untouched. */
  json: boolean;
  /** Colours for stdout and for stderr, decided separately (one may be a pipe). */
  style: Style;
  errorStyle: Style;
  /** Zone that dates are shown and read in (the API's calendar). */
  timeZone: string;
  columns: number;
  print(text: string): void;
  printError(text: string): void;
}

function show<T>(session: Session, body: T, human: (body: T) => string): void {
  session.print(session.json ? JSON.stringify(body, null, 2) : human(body));
}

export async function addCustomer(session: Session, cpf: string, name: string, connection?: string): Promise<void> {
  const customer = await session.client.registerCustomer(cpf, name, connection);
  show(session, customer, (body) => renderCustomer(body, session.timeZone, session.style));
}

export async function addMeter(session: Session, cpf: string): Promise<void> {
  const meter = await session.client.registerMeter(cpf);
  show(session, meter, (body) => renderMeter(body, session.style));
}

export async function addReading(session: Session, cpf: string, meterId: number, kwh: number, timestamp: number): Promise<void> {
  const reading = await session.client.addReading({ id: cpf, id_medidor: meterId, valor: kwh, timestamp });
  show(session, reading, (body) => renderReading(body, session.timeZone, session.style));
}

export async function showInvoice(session: Session, cpf: string, month?: string): Promise<void> {
  const invoice = await session.client.getInvoice(cpf, month);
  show(session, invoice, (body) => renderInvoice(body, session.style, session.timeZone));
}

export async function showHistory(
  session: Session,
  cpf: string,
  options: { kind?: PeriodKind; periodo?: number; limit?: number; cursor?: string },
): Promise<void> {
  const history = await session.client.getHistory(cpf, options);
  show(session, history, (body) => renderHistory(body, session.style, session.columns));
}

export async function showAlarm(session: Session, cpf: string): Promise<void> {
  const alarm = await session.client.getAlarm(cpf);
  show(session, alarm, (body) => renderAlarm(body, session.style, session.timeZone));
}

/** The API's field names as the CLI's arguments call them, so an error points at what the user typed. */
const ARGUMENT_OF_FIELD: Record<string, string> = {
  id: 'cpf',
  name: 'nome',
  ligacao: 'ligacao',
  id_medidor: 'medidor',
  valor: 'kwh',
  timestamp: 'quando',
};

/** One line for a failed call: what went wrong and which field; JSON on stderr with --json. */
export function describeFailure(error: unknown, json: boolean, style: Style): string {
  if (error instanceof ApiError) {
    if (json) {
      const body = typeof error.body === 'object' && error.body !== null && 'error' in error.body ? error.body : { error: { code: error.code, message: error.message } };
      return JSON.stringify({ status: error.status, ...body });
    }
    const prefix = error.field ? `${error.field}: ` : '';
    const message = prefix && error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
    const field = error.field ? `${ARGUMENT_OF_FIELD[error.field] ?? error.field}: ` : '';
    return `${style.alert('error:')} ${field}${message} ${style.dim(`(${error.status} ${error.code})`)}`;
  }
  if (error instanceof UnreachableError) {
    return json
      ? JSON.stringify({ error: { code: 'unreachable', message: error.message } })
      : `${style.alert('error:')} ${error.message}`;
  }
  // A fault in the CLI itself: still one line, no stack.
  const message = error instanceof Error ? error.message : String(error);
  return json ? JSON.stringify({ error: { code: 'cli_error', message } }) : `${style.alert('error:')} ${message}`;
}
