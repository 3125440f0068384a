// What the CLI does, shared by the command line and the interactive menus: one API call, then JSON or a human view.
import { ApiError, UnreachableError, type LuzClient, type PeriodKind } from './api';
import { forgetToken, maskSecret, placesLooked, rememberToken, rememberedTokenFile, staffKeyPath, type Credential } from './credentials';
import { renderAlarm, renderCustomer, renderCustomerToken, renderHistory, renderInvoice, renderMeter, renderReading } from './format';
import type { Style } from './style';

export interface Session {
  client: LuzClient;
  /** What the client sends, for messages when the API refuses it; undefined: nothing was found. */
  credential: Credential | undefined;
  /** Where credentials are looked for (LUZ_CONFIG_DIR, LUZ_DATA_DIR…). */
  env: NodeJS.ProcessEnv;
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

export async function issueCustomerToken(session: Session, cpf: string): Promise<void> {
  const issued = await session.client.issueCustomerToken(cpf);
  show(session, issued, (body) => renderCustomerToken(body, session.timeZone, session.style));
}

/** The session's client with another credential, and that credential for the messages. */
export function withCredential(session: Session, credential: Credential | undefined): Session {
  return { ...session, client: session.client.withCredential(credential?.secret), credential };
}

/**
 * `luz entrar`: checks with the API that the token opens a customer's data, then remembers it.
 * A refused token is never written (the failure comes back as an ApiError).
 */
export async function signIn(session: Session, token: Credential): Promise<void> {
  const checked = withCredential(session, token);
  if ((await checked.client.whoAmI()) === 'staff') {
    throw new Error('Luz takes that credential for the staff key; luz entrar remembers customer tokens only');
  }
  const file = rememberToken(session.env, token.secret);
  show(session, { remembered: file, token: maskSecret(token.secret) }, () =>
    [
      `${session.style.green('✓')} Luz at ${session.client.baseUrl} accepted the customer token ${maskSecret(token.secret)}`,
      `  Remembered in ${file} (only you can read it); luz sair forgets it`,
    ].join('\n'),
  );
}

/** `luz sair`: forgets the remembered token. The token itself keeps working until staff issue a new one. */
export function signOut(session: Session): void {
  const { file, removed } = forgetToken(session.env);
  show(session, { forgotten: removed, file }, () =>
    removed
      ? `${session.style.green('✓')} Forgot the customer token remembered in ${file}`
      : `No customer token was remembered in ${file}`,
  );
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

/** Why the API said 401, in terms of what the CLI sent and where it looked. */
function refusal(session: Pick<Session, 'credential' | 'env'>): string {
  const { credential, env } = session;
  if (!credential) {
    const keyFile = staffKeyPath(env);
    return (
      `Luz refused the request: no staff key or customer token (looked at ${placesLooked(env).join(', ')}); ` +
      `run luz entrar <token>, or start Luz with npm start so ${keyFile} exists`
    );
  }
  const what = `${credential.kind === 'staff' ? 'staff key' : 'customer token'} ${maskSecret(credential.secret)} from ${credential.source}`;
  return credential.kind === 'staff'
    ? `Luz refused the ${what}: it is not the key this API was started with`
    : `Luz refused the ${what}: unknown, expired or revoked; ask staff for a new one (luz cliente token <cpf>), then run luz entrar <token>`;
}

/** A customer token in use where the API said 403: which one, and how to drop a remembered one. */
function forbiddenNote(session: Pick<Session, 'credential' | 'env'>): string {
  const { credential, env } = session;
  if (credential?.kind !== 'customer') return '';
  const remembered = credential.source === rememberedTokenFile(env) ? ', luz sair forgets it' : '';
  return `; in use: the customer token ${maskSecret(credential.secret)} from ${credential.source}${remembered}`;
}

/**
 * One line for a failed call: what went wrong and which field; JSON on stderr with --json. With
 * the session, a 401 or 403 also says which credential was sent, or where none was found.
 */
export function describeFailure(error: unknown, json: boolean, style: Style, session?: Pick<Session, 'credential' | 'env'>): string {
  if (error instanceof ApiError) {
    if (json) {
      // Luz's own `{error: {code, message}}` as sent; any other body (a gateway's) in that shape.
      const luzShaped = typeof (error.body as { error?: { message?: unknown } } | null)?.error?.message === 'string';
      const body = luzShaped ? (error.body as object) : { error: { code: error.code, message: error.message } };
      return JSON.stringify({ status: error.status, ...body });
    }
    const tag = style.dim(`(${error.status} ${error.code})`);
    if (error.status === 401 && session) return `${style.alert('error:')} ${refusal(session)} ${tag}`;
    const note = error.status === 403 && session ? forbiddenNote(session) : '';
    const prefix = error.field ? `${error.field}: ` : '';
    const message = prefix && error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
    const field = error.field ? `${ARGUMENT_OF_FIELD[error.field] ?? error.field}: ` : '';
    return `${style.alert('error:')} ${field}${message}${note} ${tag}`;
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
