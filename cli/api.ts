// HTTP client for the Luz API: the one place that builds requests, so headers (and the credential) live here only.

// The wire shapes the CLI reads, as the API defines them (type-only: nothing of core/ runs in the
// CLI). Where the CLI must also read an older or newer server — a field absent, a rule or
// connection type it does not know yet, a field added later — the shape is `Received`: the API's
// fields and types, only the ones named required, strings not narrowed to today's values.
import type { Alarm as ApiAlarm, AlarmEventView, AlarmReason as ApiAlarmReason } from '../core/alarms';
import type { IssuedToken, RegisteredMeter } from '../core/customers';
import type { History } from '../core/history';
import type { Customer as ApiCustomer, Invoice as ApiInvoice, InvoiceLine as ApiInvoiceLine } from '../core/model';
import type { PeriodKind } from '../core/periods';
import type { RecordedReading } from '../core/readings';

type Widened<T> = T extends string ? string : T;
type Received<Shape, Needed extends keyof Shape> = { [Field in Needed]: Widened<Shape[Field]> } & {
  [Field in Exclude<keyof Shape, Needed>]?: Widened<Shape[Field]>;
} & { [field: string]: unknown };

/** cadCliente's answer: the customer and, once, its first token. */
export type Customer = Received<ApiCustomer & { token: string }, 'id' | 'name' | 'createdAt'>;
export type CustomerToken = IssuedToken;
export type Meter = Received<RegisteredMeter, 'id' | 'id_medidor'>;
export type InvoiceLine = Received<ApiInvoiceLine, 'descricao' | 'valor'>;
export type Invoice = Received<Omit<ApiInvoice, 'itens'>, 'id' | 'mes' | 'kwh' | 'valor'> & { itens: InvoiceLine[] };
export type AlarmReason = Received<ApiAlarmReason, 'regra'>;
export type AlarmEvent = Received<AlarmEventView, 'regra' | 'disparadoEm' | 'encerradoEm'>;
export type Alarm = Omit<ApiAlarm, 'motivos' | 'eventos'> & { motivos: AlarmReason[]; eventos?: AlarmEvent[] };
export type { History, PeriodKind, RecordedReading };

/** The API answered with an error status; `body` is what it sent (Luz's `{error}` shape, or not). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field: string | undefined,
    readonly body: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** No HTTP answer at all: refused, unknown host, timed out. */
export class UnreachableError extends Error {
  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super(`cannot reach Luz at ${url} (${reason})`);
    this.name = 'UnreachableError';
  }
}

export interface ClientOptions {
  /** e.g. http://localhost:8888 or an API Gateway stage URL; no trailing slash. */
  baseUrl: string;
  /** Staff key or customer token, sent as `Authorization: Bearer …`; none: the API answers 401. */
  credential?: string;
  timeoutMs?: number;
}

type Query = Record<string, string | number | undefined>;

export class LuzClient {
  constructor(private readonly options: ClientOptions) {}

  get baseUrl(): string {
    return this.options.baseUrl;
  }

  /** The same API with another credential (the interactive menus switch between staff and customer). */
  withCredential(credential: string | undefined): LuzClient {
    return new LuzClient({ ...this.options, credential });
  }

  registerCustomer(id: string, name: string, ligacao?: string): Promise<Customer> {
    return this.request('POST', '/cadCliente', { body: { id, name, ...(ligacao ? { ligacao } : {}) } });
  }

  registerMeter(id: string): Promise<Meter> {
    return this.request('POST', '/cadMedidor', { body: { id } });
  }

  /** `timestamp` in Unix seconds, which the API accepts as is. */
  addReading(reading: { id: string; id_medidor: number; valor: number; timestamp: number }): Promise<RecordedReading> {
    return this.request('POST', '/postConsumo', { body: reading });
  }

  getInvoice(id: string, mes?: string): Promise<Invoice> {
    return this.request('GET', '/getFatura', { query: { id, mes } });
  }

  getHistory(id: string, options: { kind?: PeriodKind; periodo?: number; limit?: number; cursor?: string } = {}): Promise<History> {
    return this.request('GET', '/getConsumoHist', { query: { id, ...options } });
  }

  getAlarm(id: string): Promise<Alarm> {
    return this.request('GET', '/getAlarme', { query: { id } });
  }

  /** Issues a new token for the customer and revokes the previous one (staff). */
  issueCustomerToken(id: string): Promise<CustomerToken> {
    return this.request('POST', '/tokenCliente', { body: { id } });
  }

  /**
   * Who the API takes this credential for, without touching anyone's data: a staff-only read
   * answers 200 to staff and 403 to a valid customer token (the route refuses customers before it
   * reads the request); 401 (thrown) when the API refuses the credential. A token names no CPF,
   * so this is the one check that needs none.
   */
  async whoAmI(): Promise<'staff' | 'customer'> {
    try {
      await this.request('GET', '/alarmes', { query: { limit: 1 } });
      return 'staff';
    } catch (error) {
      if (error instanceof ApiError && error.status === 403) return 'customer';
      throw error;
    }
  }

  /** Every header the API sees comes from here. */
  private headers(hasBody: boolean): Record<string, string> {
    return {
      accept: 'application/json',
      ...(hasBody ? { 'content-type': 'application/json' } : {}),
      ...(this.options.credential ? { authorization: `Bearer ${this.options.credential}` } : {}),
    };
  }

  private async request<T>(method: 'GET' | 'POST', path: string, input: { query?: Query; body?: unknown }): Promise<T> {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(input.query ?? {})) {
      if (value !== undefined) search.set(key, String(value));
    }
    const url = `${this.options.baseUrl}${path}${search.toString() ? `?${search}` : ''}`;
    const timeoutMs = this.options.timeoutMs ?? 30_000;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: this.headers(input.body !== undefined),
        body: input.body === undefined ? undefined : JSON.stringify(input.body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new UnreachableError(this.options.baseUrl, describeNetworkFailure(error, timeoutMs));
    }
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      /* not JSON: reported as text below */
    }
    if (response.ok) return body as T;
    throw toApiError(response.status, response.statusText, body);
  }
}

function toApiError(status: number, statusText: string, body: unknown): ApiError {
  const error = (body as { error?: { code?: unknown; message?: unknown; field?: unknown } } | null)?.error;
  if (error && typeof error.message === 'string') {
    return new ApiError(status, String(error.code ?? status), error.message, typeof error.field === 'string' ? error.field : undefined, body);
  }
  // API Gateway's own answers (authorizer, throttling) are `{message}`; anything else is shown as text.
  const gatewayMessage = (body as { message?: unknown } | null)?.message;
  const message =
    typeof gatewayMessage === 'string'
      ? gatewayMessage
      : typeof body === 'string' && body.trim() !== ''
        ? body.trim().replace(/\s+/g, ' ').slice(0, 200)
        : statusText || 'no details';
  // serverless offline answers a refused credential with API Gateway's bare `{message}`; name it as AWS does.
  const code = status === 401 ? 'unauthorized' : status === 403 ? 'forbidden' : `http_${status}`;
  return new ApiError(status, code, message, undefined, body);
}

/** One short reason a person can act on, from undici's nested causes. */
function describeNetworkFailure(error: unknown, timeoutMs: number): string {
  const name = (error as Error)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') return `no answer within ${Math.round(timeoutMs / 1000)} s`;
  let cause: unknown = error;
  while (cause && typeof cause === 'object' && 'cause' in cause && (cause as { cause?: unknown }).cause) {
    cause = (cause as { cause: unknown }).cause;
  }
  const code = (cause as { code?: string })?.code;
  const reasons: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ENOTFOUND: 'unknown host',
    EAI_AGAIN: 'host name lookup failed',
    ECONNRESET: 'connection reset',
    EHOSTUNREACH: 'host unreachable',
    ENETUNREACH: 'network unreachable',
    ETIMEDOUT: 'connection timed out',
  };
  if (code && reasons[code]) return reasons[code];
  // AggregateError (IPv6 and IPv4 both refused) carries the codes in `errors`.
  const inner = (cause as { errors?: { code?: string }[] })?.errors?.find((item) => item.code && reasons[item.code]);
  if (inner?.code) return reasons[inner.code];
  return code ?? (cause as Error)?.message ?? 'network error';
}
