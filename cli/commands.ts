// What the CLI does, shared by the command line and the interactive menus: one API call, then JSON or a human view.
import { ApiError, UnreachableError, type LuzClient, type PeriodKind } from './api';
import { forgetToken, maskSecret, placesLooked, rememberToken, rememberedTokenFile, staffKeyPath, type Credential } from './credentials';
import type { CliWords } from '../i18n/cli';
import { renderAlarm, renderCustomer, renderCustomerToken, renderHistory, renderInvoice, renderMeter, renderReading, type View } from './format';
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
  /** What a person reads, in their language (pt-BR unless LANG or --lang say en). */
  words: CliWords;
  columns: number;
  print(text: string): void;
  printError(text: string): void;
}

function show<T>(session: Session, body: T, human: (body: T) => string): void {
  session.print(session.json ? JSON.stringify(body, null, 2) : human(body));
}

const viewOf = (session: Session): View => ({ words: session.words, style: session.style });

export async function addCustomer(session: Session, cpf: string, name: string, connection?: string): Promise<void> {
  const customer = await session.client.registerCustomer(cpf, name, connection);
  show(session, customer, (body) => renderCustomer(body, viewOf(session)));
}

export async function issueCustomerToken(session: Session, cpf: string): Promise<void> {
  const issued = await session.client.issueCustomerToken(cpf);
  show(session, issued, (body) => renderCustomerToken(body, viewOf(session)));
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
    throw new Error(session.words.say('fail.staffKeyAsToken'));
  }
  const file = rememberToken(session.env, token.secret);
  show(session, { remembered: file, token: maskSecret(token.secret) }, () =>
    [
      `${session.style.green('✓')} ${session.words.say('out.signedIn', { url: session.client.baseUrl, token: maskSecret(token.secret) })}`,
      session.words.say('out.remembered', { file }),
    ].join('\n'),
  );
}

/** `luz sair`: forgets the remembered token. The token itself keeps working until staff issue a new one. */
export function signOut(session: Session): void {
  const { file, removed } = forgetToken(session.env);
  show(session, { forgotten: removed, file }, () =>
    removed
      ? `${session.style.green('✓')} ${session.words.say('out.forgot', { file })}`
      : session.words.say('out.nothingRemembered', { file }),
  );
}

export async function addMeter(session: Session, cpf: string): Promise<void> {
  const meter = await session.client.registerMeter(cpf);
  show(session, meter, (body) => renderMeter(body, viewOf(session)));
}

export async function addReading(session: Session, cpf: string, meterId: number, kwh: number, timestamp: number): Promise<void> {
  const reading = await session.client.addReading({ id: cpf, id_medidor: meterId, valor: kwh, timestamp });
  show(session, reading, (body) => renderReading(body, viewOf(session)));
}

export async function showInvoice(session: Session, cpf: string, month?: string): Promise<void> {
  const invoice = await session.client.getInvoice(cpf, month);
  show(session, invoice, (body) => renderInvoice(body, viewOf(session)));
}

export async function showHistory(
  session: Session,
  cpf: string,
  options: { kind?: PeriodKind; periodo?: number; limit?: number; cursor?: string },
): Promise<void> {
  const history = await session.client.getHistory(cpf, options);
  show(session, history, (body) => renderHistory(body, viewOf(session), session.columns));
}

export async function showAlarm(session: Session, cpf: string): Promise<void> {
  const alarm = await session.client.getAlarm(cpf);
  show(session, alarm, (body) => renderAlarm(body, viewOf(session)));
}

/** Why the API said 401, in terms of what the CLI sent and where it looked. */
function refusal(words: CliWords, session: Pick<Session, 'credential' | 'env'>): string {
  const { credential, env } = session;
  if (!credential) return words.say('fail.noCredential', { places: placesLooked(env).join(', '), file: staffKeyPath(env) });
  return credential.kind === 'staff'
    ? words.say('fail.staffRefused', { key: maskSecret(credential.secret), source: credential.source })
    : words.say('fail.tokenRefused', { token: maskSecret(credential.secret), source: credential.source });
}

/** A customer token in use where the API said 403: which one, and how to drop a remembered one. */
function forbiddenNote(words: CliWords, session: Pick<Session, 'credential' | 'env'>): string {
  const { credential, env } = session;
  if (credential?.kind !== 'customer') return '';
  const remembered = credential.source === rememberedTokenFile(env) ? words.say('fail.forgetIt') : '';
  return words.say('fail.inUse', { token: maskSecret(credential.secret), source: credential.source }) + remembered;
}

/**
 * One line for a failed call, in the user's words: the API's error from its code (and field), with
 * the code and status after it for whoever reports it; JSON on stderr with --json (the API's own,
 * machine-first). With the session, a 401 or 403 also says which credential was sent, or where none was found.
 */
export function describeFailure(error: unknown, json: boolean, style: Style, words: CliWords, session?: Pick<Session, 'credential' | 'env'>): string {
  const headline = style.alert(words.say('error'));
  if (error instanceof ApiError) {
    if (json) {
      // Luz's own `{error: {code, message}}` as sent; any other body (a gateway's) in that shape.
      const luzShaped = typeof (error.body as { error?: { message?: unknown } } | null)?.error?.message === 'string';
      const body = luzShaped ? (error.body as object) : { error: { code: error.code, message: error.message } };
      return JSON.stringify({ status: error.status, ...body });
    }
    const tag = style.dim(`(${error.status} ${error.code})`);
    if (error.status === 401 && session) return `${headline} ${refusal(words, session)} ${tag}`;
    const note = error.status === 403 && session ? forbiddenNote(words, session) : '';
    // The field in words (CPF, medidor, kWh, quando…), as the shared catalogs name the API's fields.
    const text = words.error({ status: error.status, code: error.code, field: error.field, message: error.message });
    // The note continues the sentence: the catalog's full stop gives way to it.
    return `${headline} ${note ? text.replace(/\.$/, '') : text}${note} ${tag}`;
  }
  if (error instanceof UnreachableError) {
    return json
      ? JSON.stringify({ error: { code: 'unreachable', message: error.message } })
      : `${headline} ${words.say('fail.unreachable', { url: error.url, reason: error.reason })}`;
  }
  // A fault in the CLI itself: still one line, no stack.
  const message = error instanceof Error ? error.message : String(error);
  return json ? JSON.stringify({ error: { code: 'cli_error', message } }) : `${headline} ${message}`;
}
