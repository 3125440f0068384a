// The repository over DynamoDB: customers, tokens, meters, secrets, invoices and alarms here; the
// readings' tables in core/store/readingStore.ts; every key format in core/store/keys.ts.
//
// Tables (names = LUZ_TABLE_PREFIX + name; declared once in serverless.yml `resources`):
//
// | table      | partition key | sort key           | item                                                   |
// |------------|---------------|--------------------|--------------------------------------------------------|
// | clientes   | id (CPF)      | —                  | name, createdAt, meterCount (atomic meter-id counter), tokenHash, ligacao |
// | clientes   |               |                    | consolidadoAte (window its blocks are folded up to, exclusive; see readingStore) |
// | tokens     | tokenHash (SHA-256 of the customer token) | — | id (CPF), createdAt, expiresAt (ms), revokedAt   |
// | medidores  | id (CPF)      | id_medidor (N)     | createdAt, ultimaLeitura (newest on-time reading ms among folded blocks; set by the fold) |
// | medidores  |               |                    | seqMaximo (checkpoint of the highest signed seq since the secret was issued, every 64 seqs; only grows) |
// | segredos   | id (CPF)      | id_medidor (N)     | segredo (the meter's HMAC key, as issued: the gateway recomputes MACs with it), createdAt |
// | gateway    | instancia     | —                  | one per gateway process: its counters since start (recebidas, gravadas, duplicadas, rejeitadas map, emAndamento, leiturasPorSegundo, latenciaP50Ms/P99Ms), iniciadoEm, publicadoEm (ms), expiraEm (TTL, epoch s) |
// | blocos     | id (CPF)      | sk = YYYY-MM-DDTHH#MMMMMMMMMM (local 6-hour window, meter) | r<ms base36> / l<ms base36> = valor (one slot per reading, on time / late), kwh + n (on-time readings, ADD), grandes (SS ms:valor above the alarm limit) |
// | totais     | id (CPF)      | sk = YYYY-MM#MMMMMMMMMM (month, meter) | kwh, n, d01…d31 (ADD: folded blocks + late readings), grandes (SS), ate (window its blocks are folded up to) |
// | faturas    | id (CPF)      | mes (YYYY-MM)      | documento (the frozen invoice, JSON), kwhContabilizado, kwhMinimo, precoKwh, vencimentoDias |
// | alarmes    | id (CPF)      | sk = ATIVO#<regra>[#meter]     (one per condition holding now) | regra, desde, evento, mensagem, emAlarme="sim" |
// |            |               | sk = EVENTO#<fired ms, 14 digits>#<regra>[#meter] | disparadoEm, encerradoEm?, reconhecidoEm?, reconhecidoPor? (staff/cliente), mensagem |
// GSI alarmes.ativos: emAlarme (HASH) + id (RANGE), sparse: only ATIVO# items carry emAlarme, so it
// lists exactly the customers in alarm. Alarm transitions are rare, so one constant partition suffices.
//
// Access paths (write units by AWS rules in docs/SCALE.md):
// - cadCliente: one transaction: Put clientes if attribute_not_exists(id) + Put tokens (the first token).
// - tokenCliente: Get clientes (current tokenHash); one transaction: Update clientes SET tokenHash if it is
//   still the one read, Put tokens (new), Update tokens (old) SET revokedAt.
// - authorizer: Get tokens by tokenHash.
// - cadMedidor: Update clientes ADD meterCount 1 if attribute_exists(id) → n; one transaction: Put medidores
//   (id, n) + Put segredos (id, n), so a meter never exists without its secret.
// - segredoMedidor: one transaction: Update medidores REMOVE seqMaximo if attribute_exists(id_medidor)
//   + Put segredos (the new secret); if the meter is missing, Get clientes says which 404 it is.
//   segredos is its own table so that no role that reads meters
//   (alarms, history) can read their secrets: only cadMedidor and segredoMedidor write it, and only
//   the UDP gateway reads it.
// - UDP gateway, per meter it has not cached: Get segredos + Get medidores (seqMaximo); for a signed
//   datagram older than its anti-replay window: Get blocos (is that exact reading stored?).
// - postConsumo / UDP (readingStore.storeReadings): Get medidores once per meter per process (meters
//   are never deleted); per block, one Update blocos SET <slot> = valor ADD kwh, n IF both slot names
//   are absent — a repeat fails its condition, and the stored value (ALL_OLD) says duplicate or
//   conflict. A late reading's block update goes in one transaction with its month item's ADD.
//   Every 64 seqs of a signed meter: Update medidores SET seqMaximo if higher.
// - consolidate (the scheduled sweep): Get clientes, Query blocos [consolidadoAte, target), Query
//   medidores; per month passed, one transaction: Update totais (ADD, SET ate) per meter, Update
//   clientes SET consolidadoAte if unchanged, Update medidores SET ultimaLeitura.
// - getConsumoHist / getFatura / getAlarme totals: Query totais (the months) then Query blocos from
//   the earliest `ate` (hours: Query blocos of the day); readings: Query blocos a window at a time.
// - getFatura: Get faturas (closed?) or the totals above + Query faturas (late kWh of closed months).
//   fechaFatura: the same, then one transaction: Put faturas if attribute_not_exists(mes) + Update
//   each adjusted month's kwhContabilizado if unchanged.
// - getAlarme: the totals above, Query medidores + Get clientes + Query blocos from consolidadoAte
//   (newest readings), Query alarmes (ATIVO#, EVENTO# newest first); a transition is one transaction
//   (ATIVO# put/delete + EVENTO# put/update). alarmes (staff): Query the ativos index.
// - reconheceAlarme: Get clientes, Query alarmes (ATIVO#; EVENTO# newest one when none is active), per
//   event one Update alarmes SET reconhecidoEm IF it exists and is not acknowledged (a repeat: ALL_OLD).
// - UDP gateway, every GATEWAY_PUBLISH_SECONDS: Put gateway (its instance's item, replaced whole).
//   gatewayStatus (staff): Scan gateway (a handful of items), expired ones dropped by the reader.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Repository } from '../repository';
import { AlarmStore } from './alarmStore';
import { CustomerStore } from './customerStore';
import { GatewayStore } from './gatewayStore';
import { TABLES, type Tables } from './dynamoItems';
import { InvoiceStore } from './invoiceStore';
import { MeterStore } from './meterStore';
import { ReadingStore, type WriteGrouping } from './readingStore';

export interface DynamoRepositoryOptions {
  /** The zone the blocks' windows are cut in (LUZ_TZ). */
  timeZone: string;
  writeGrouping: WriteGrouping;
}

/** The Repository over DynamoDB: one store per group of tables, each written once. */
export class DynamoRepository implements Repository {
  private readonly customers: CustomerStore;
  private readonly meters: MeterStore;
  private readonly readings: ReadingStore;
  private readonly invoices: InvoiceStore;
  private readonly alarms: AlarmStore;
  private readonly gateways: GatewayStore;

  constructor(db: DynamoDBDocumentClient, tablePrefix: string, options: DynamoRepositoryOptions) {
    const table = Object.fromEntries(TABLES.map((name) => [name, `${tablePrefix}${name}`])) as Tables;
    this.customers = new CustomerStore(db, table);
    this.readings = new ReadingStore(db, table, options.writeGrouping, options.timeZone);
    this.meters = new MeterStore(db, table, this.customers, this.readings);
    this.invoices = new InvoiceStore(db, table);
    this.alarms = new AlarmStore(db, table);
    this.gateways = new GatewayStore(db, table);
  }

  createCustomer: Repository['createCustomer'] = (...args) => this.customers.createCustomer(...args);
  replaceToken: Repository['replaceToken'] = (...args) => this.customers.replaceToken(...args);
  findToken: Repository['findToken'] = (...args) => this.customers.findToken(...args);
  getCustomer: Repository['getCustomer'] = (...args) => this.customers.getCustomer(...args);
  listCustomerIds: Repository['listCustomerIds'] = (...args) => this.customers.listCustomerIds(...args);
  registerMeter: Repository['registerMeter'] = (...args) => this.meters.registerMeter(...args);
  replaceMeterSecret: Repository['replaceMeterSecret'] = (...args) => this.meters.replaceMeterSecret(...args);
  meterCredentials: Repository['meterCredentials'] = (...args) => this.meters.meterCredentials(...args);
  findReading: Repository['findReading'] = (...args) => this.readings.findReading(...args);
  storeReadings: Repository['storeReadings'] = (...args) => this.readings.storeReadings(...args);
  consolidate: Repository['consolidate'] = (...args) => this.readings.consolidate(...args);
  sumBuckets: Repository['sumBuckets'] = (...args) => this.readings.sumBuckets(...args);
  listReadings: Repository['listReadings'] = (...args) => this.readings.listReadings(...args);
  excessReadings: Repository['excessReadings'] = (...args) => this.readings.excessReadings(...args);
  listMeters: Repository['listMeters'] = (...args) => this.readings.listMeters(...args);
  meterMonthKwh: Repository['meterMonthKwh'] = (...args) => this.readings.meterMonthKwh(...args);
  getInvoiceRecord: Repository['getInvoiceRecord'] = (...args) => this.invoices.getInvoiceRecord(...args);
  listInvoiceRecords: Repository['listInvoiceRecords'] = (...args) => this.invoices.listInvoiceRecords(...args);
  saveInvoice: Repository['saveInvoice'] = (...args) => this.invoices.saveInvoice(...args);
  activeAlarms: Repository['activeAlarms'] = (...args) => this.alarms.activeAlarms(...args);
  fireAlarm: Repository['fireAlarm'] = (...args) => this.alarms.fireAlarm(...args);
  clearAlarm: Repository['clearAlarm'] = (...args) => this.alarms.clearAlarm(...args);
  acknowledgeAlarm: Repository['acknowledgeAlarm'] = (...args) => this.alarms.acknowledgeAlarm(...args);
  alarmEvents: Repository['alarmEvents'] = (...args) => this.alarms.alarmEvents(...args);
  listActiveAlarms: Repository['listActiveAlarms'] = (...args) => this.alarms.listActiveAlarms(...args);
  publishGatewayFigures: Repository['publishGatewayFigures'] = (...args) => this.gateways.publishGatewayFigures(...args);
  listGatewayFigures: Repository['listGatewayFigures'] = () => this.gateways.listGatewayFigures();
}
