// The web's one door to the Luz HTTP API (the counterpart of cli/api.ts): the credential lives here, in memory.

export interface InvoiceLine { descricao: string; quantidade?: number | null; unidade?: string | null; precoUnitario?: number | null; valor: number }
export interface Invoice {
  id: string; mes: string; situacao: 'aberta' | 'fechada'; numero?: string; emissao?: string; vencimento?: string;
  tarifa: string; kwh: number; valor: number; itens: InvoiceLine[]; medidores: { id_medidor: number; kwh: number }[];
}
export interface InvoiceSummary { numero: string; mes: string; emissao: string; vencimento: string; kwh: number; valor: number }
export type Kind = 'D' | 'M' | 'Y';
export interface History {
  id: string; kind: Kind; periodo: number; inicio: string; fim: string; soma: number;
  series: { bucket: string; kwh: number }[]; consumo: { timestamp: number; id_medidor: number; valor: number }[]; cursor: string | null;
}
export interface AlarmReason { regra: string; mensagem?: string; id_medidor?: number; [field: string]: unknown }
export interface Alarm {
  id: string; alarme: 'Excesso!' | 'Ok!'; mes: string; kwhMes: number; motivos: AlarmReason[];
  eventos: { regra: string; id_medidor?: number; disparadoEm: string; encerradoEm: string | null }[];
}
export interface CustomersInAlarm { clientes: { id: string; alarmes: { regra: string; id_medidor?: number; desde: string }[] }[]; cursor: string | null }
export interface GatewayFigures { recebidas: number; gravadas: number; duplicadas: number; rejeitadas: Record<string, number>; emAndamento: number; leiturasPorSegundo: number; latenciaP99Ms: number | null }
export interface GatewayStatus {
  total: GatewayFigures & { instancias: number };
  gateways: (GatewayFigures & { instancia: string; iniciadoEm: string; publicadoEm: string; latenciaP50Ms: number | null })[];
}

/** The API answered with an error; the screens turn status + code into words (i18n). */
export class ApiFailure extends Error {
  constructor(readonly status: number, readonly code: string | undefined, readonly field: string | undefined, message: string) {
    super(message);
  }
}

export class Api {
  constructor(readonly baseUrl: string, private readonly credential: string) {}

  private async send(method: 'GET' | 'POST', path: string, fields: Record<string, string | number | undefined>, accept = 'application/json'): Promise<Response> {
    const query = new URLSearchParams();
    if (method === 'GET') for (const [key, value] of Object.entries(fields)) if (value !== undefined) query.set(key, String(value));
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}${query.size ? `?${query}` : ''}`, {
        method,
        // The credential goes in a header only: never in a URL, so no log or history keeps it.
        headers: { authorization: `Bearer ${this.credential}`, accept, ...(method === 'POST' ? { 'content-type': 'application/json' } : {}) },
        body: method === 'POST' ? JSON.stringify(fields) : undefined,
      });
    } catch {
      throw new ApiFailure(0, 'unreachable', undefined, this.baseUrl);
    }
    if (response.ok) return response;
    const body = (await response.json().catch(() => ({}))) as { error?: { code?: string; field?: string; message?: string }; message?: string };
    throw new ApiFailure(response.status, body.error?.code, body.error?.field, body.error?.message ?? body.message ?? response.statusText);
  }

  private async json<T>(method: 'GET' | 'POST', path: string, fields: Record<string, string | number | undefined>): Promise<T> {
    return (await (await this.send(method, path, fields)).json()) as T;
  }

  invoice = (id: string, mes?: string) => this.json<Invoice>('GET', '/getFatura', { id, mes });
  invoices = (id: string) => this.json<{ faturas: InvoiceSummary[] }>('GET', '/faturas', { id });
  invoicePdf = async (id: string, mes: string) => (await this.send('GET', '/faturaPdf', { id, mes }, 'application/pdf')).blob();
  history = (id: string, kind: Kind, periodo: number) => this.json<History>('GET', '/getConsumoHist', { id, kind, periodo, limit: 1000 });
  alarm = (id: string) => this.json<Alarm>('GET', '/getAlarme', { id });
  registerCustomer = (id: string, name: string, ligacao: string) =>
    this.json<{ id: string; name: string; token: string }>('POST', '/cadCliente', { id, name, ligacao });
  registerMeter = (id: string) => this.json<{ id: string; id_medidor: number; segredo: string }>('POST', '/cadMedidor', { id });
  newToken = (id: string) => this.json<{ id: string; token: string; expiresAt: string }>('POST', '/tokenCliente', { id });
  newSecret = (id: string, id_medidor: number) =>
    this.json<{ id: string; id_medidor: number; segredo: string }>('POST', '/segredoMedidor', { id, id_medidor });
  closeInvoice = (id: string, mes: string) => this.json<Invoice>('POST', '/fechaFatura', { id, mes });
  customersInAlarm = () => this.json<CustomersInAlarm>('GET', '/alarmes', { limit: 100 });
  gatewayStatus = () => this.json<GatewayStatus>('GET', '/gatewayStatus', {});
}
