// The independent checker. It shares no code with core/: what it knows of the storage is the
// published layout (docs/SCALE.md: blocos items with r<ms base 36>/l<ms base 36> slots, kwh and n;
// totais month items with kwh and ate), and of the API the published routes. It compares the meters'
// own record of acknowledged readings with what is stored, read from the tables and through HTTP.
import { DynamoDBClient, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { Decimal, invoiceValue, readTariff } from './oracle';

/** One acknowledged reading, as a meter wrote it down. */
export interface AckedReading {
  id: string;
  m: number;
  ts: number;
  valor: number;
  /** When the ack arrived (ms since the traffic started). */
  at: number;
}

export interface Verdict {
  acked: number;
  storedInTables: number;
  listedByApi: number;
  /** Acknowledged, and missing from the tables or from the API's listing. */
  lost: number;
  /** A reading present twice, or counted twice in a total (block, month item, history, invoice). */
  doubleCounted: number;
  /** Stored, and no meter has it as acknowledged. */
  phantom: number;
  /** Stored with another value than the meter sent. */
  wrongValue: number;
  customerMonths: number;
  invoicesChecked: number;
  invoiceMismatches: number;
  problems: string[];
}

const num = (value: AttributeValue | undefined) => new Decimal(value?.N ?? 0);
const keyOf = (id: string, m: number, ts: number) => `${id}#${m}#${ts}`;

/** Month (YYYY-MM) of an instant in the zone, by Intl alone. */
export function monthIn(timestampMs: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit' }).formatToParts(timestampMs);
  return `${parts.find((p) => p.type === 'year')!.value}-${parts.find((p) => p.type === 'month')!.value}`;
}

const monthsBack = (from: string, to: string) => {
  const [fy, fm] = from.split('-').map(Number);
  const [ty, tm] = to.split('-').map(Number);
  return (ty - fy) * 12 + (tm - fm);
};

async function scanAll(client: DynamoDBClient, table: string): Promise<Record<string, AttributeValue>[]> {
  const items: Record<string, AttributeValue>[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start, ConsistentRead: true }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

async function getJson(url: string, staffKey: string): Promise<{ status: number; body: any }> {
  for (let attempt = 1; ; attempt++) {
    try {
      const response = await fetch(url, { headers: { authorization: `Bearer ${staffKey}` }, signal: AbortSignal.timeout(30_000) });
      return { status: response.status, body: await response.json() };
    } catch (error) {
      if (attempt >= 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1000 * attempt));
    }
  }
}

export async function check(input: {
  acked: AckedReading[];
  dynamoEndpoint: string;
  tablePrefix: string;
  apiUrl: string;
  staffKey: string;
  tariffFile: string;
  timeZone: string;
}): Promise<Verdict> {
  const problems: string[] = [];
  const note = (problem: string) => problems.length < 30 && problems.push(problem);
  const customers = new Set(input.acked.map((reading) => reading.id));
  const sent = new Map<string, AckedReading>();
  for (const reading of input.acked) {
    const key = keyOf(reading.id, reading.m, reading.ts);
    if (sent.has(key)) note(`the meters acknowledged ${key} twice (two readings with one key)`);
    sent.set(key, reading);
  }

  // ---- the tables
  const client = new DynamoDBClient({
    endpoint: input.dynamoEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const stored = new Map<string, Decimal>();
  let doubleCounted = 0;
  let phantom = 0;
  let wrongValue = 0;
  /** customer#month → kWh from the tables: unfolded blocks + month items. */
  const tableTotals = new Map<string, Decimal>();
  const add = (map: Map<string, Decimal>, key: string, value: Decimal) => map.set(key, (map.get(key) ?? new Decimal(0)).plus(value));
  try {
    const monthItems = new Map<string, { kwh: Decimal; ate?: string }>();
    for (const item of await scanAll(client, `${input.tablePrefix}totais`)) {
      const id = item.id.S!;
      if (!customers.has(id)) continue;
      const [month, meter] = item.sk.S!.split('#');
      if (!/^\d{4}-\d{2}$/.test(month)) continue;
      monthItems.set(`${id}#${month}#${Number(meter)}`, { kwh: num(item.kwh), ate: item.ate?.S });
      add(tableTotals, `${id}#${month}`, num(item.kwh));
    }
    for (const item of await scanAll(client, `${input.tablePrefix}blocos`)) {
      const id = item.id.S!;
      if (!customers.has(id)) continue;
      const [window, meterText] = item.sk.S!.split('#');
      const meter = Number(meterText);
      let onTime = new Decimal(0);
      let onTimeCount = 0;
      const inBlock = new Set<number>();
      for (const [name, value] of Object.entries(item)) {
        if (!/^[rl][0-9a-z]{1,11}$/.test(name)) continue;
        const ts = parseInt(name.slice(1), 36);
        const valor = new Decimal(value.N!);
        if (inBlock.has(ts)) {
          doubleCounted += 1;
          note(`${id}/${meter} ${ts}: stored both on time and late in block ${window}`);
        }
        inBlock.add(ts);
        if (name[0] === 'r') {
          onTime = onTime.plus(valor);
          onTimeCount += 1;
        }
        const key = keyOf(id, meter, ts);
        if (stored.has(key)) {
          doubleCounted += 1;
          note(`${key}: in two blocks`);
        }
        stored.set(key, valor);
        const acked = sent.get(key);
        if (!acked) {
          phantom += 1;
          note(`${key}: stored, and no meter has it acknowledged`);
        } else if (!valor.equals(String(acked.valor))) {
          wrongValue += 1;
          note(`${key}: stored ${valor}, sent ${acked.valor}`);
        }
      }
      // A block's kwh/n are ADDed once per on-time slot: more than the slots is a double count.
      if (!num(item.kwh).equals(onTime) || Number(item.n?.N ?? 0) !== onTimeCount) {
        doubleCounted += 1;
        note(`${id} block ${window}#${meter}: kwh ${num(item.kwh)} n ${item.n?.N} for slots ${onTime} × ${onTimeCount}`);
      }
      const month = window.slice(0, 7);
      const folded = monthItems.get(`${id}#${month}#${meter}`);
      if (!folded?.ate || window >= folded.ate) add(tableTotals, `${id}#${month}`, num(item.kwh));
    }
  } finally {
    client.destroy();
  }
  const lostInTables = [...sent.keys()].filter((key) => !stored.has(key));
  for (const key of lostInTables.slice(0, 10)) note(`${key}: acknowledged, not in the tables`);

  // ---- what the meters sent, per customer and month
  const sentTotals = new Map<string, Decimal>();
  for (const reading of input.acked) add(sentTotals, `${reading.id}#${monthIn(reading.ts, input.timeZone)}`, new Decimal(String(reading.valor)));
  for (const [key, kwh] of sentTotals) {
    const inTables = tableTotals.get(key) ?? new Decimal(0);
    if (inTables.greaterThan(kwh)) doubleCounted += 1;
    if (!inTables.equals(kwh)) note(`${key}: tables total ${inTables} kWh, meters acknowledged ${kwh}`);
  }

  // ---- the HTTP API: every reading listed once, history total, invoice to the centavo
  const tariff = readTariff(input.tariffFile);
  const now = monthIn(Date.now(), input.timeZone);
  const listed = new Set<string>();
  let invoiceMismatches = 0;
  let lostInApi = 0;
  for (const [key, kwh] of sentTotals) {
    const [id, month] = key.split('#');
    const periodo = monthsBack(month, now);
    let cursor: string | undefined;
    let soma: number | undefined;
    do {
      const query = `id=${id}&kind=M&periodo=${periodo}&limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const { status, body } = await getJson(`${input.apiUrl}/getConsumoHist?${query}`, input.staffKey);
      if (status !== 200) throw new Error(`getConsumoHist ${query}: ${status} ${JSON.stringify(body)}`);
      soma ??= body.soma;
      for (const reading of body.consumo as { timestamp: number; id_medidor: number; valor: number }[]) {
        const readingKey = keyOf(id, reading.id_medidor, Math.round(reading.timestamp * 1000));
        if (listed.has(readingKey)) {
          doubleCounted += 1;
          note(`${readingKey}: listed twice by getConsumoHist`);
        }
        listed.add(readingKey);
        if (!sent.has(readingKey)) {
          phantom += 1;
          note(`${readingKey}: listed by getConsumoHist, no meter has it acknowledged`);
        }
      }
      cursor = body.cursor ?? undefined;
    } while (cursor);
    if (!new Decimal(String(soma)).equals(kwh.toNumber())) {
      if (new Decimal(String(soma)).greaterThan(kwh.toNumber())) doubleCounted += 1;
      note(`${key}: getConsumoHist soma ${soma}, meters acknowledged ${kwh}`);
    }
    const { status, body } = await getJson(`${input.apiUrl}/getFatura?id=${id}&mes=${month}`, input.staffKey);
    const expected = invoiceValue(tariff, month, kwh.toString());
    if (status !== 200 || body.kwh !== kwh.toNumber() || !new Decimal(String(body.valor)).equals(expected)) {
      invoiceMismatches += 1;
      note(`${key}: getFatura ${status} kwh ${body?.kwh} valor ${body?.valor}; oracle ${kwh} kWh R$ ${expected.toFixed(2)}`);
    }
  }
  for (const key of sent.keys()) {
    if (listed.has(key)) continue;
    lostInApi += 1;
    if (lostInApi <= 10) note(`${key}: acknowledged, not listed by getConsumoHist`);
  }
  const lost = new Set([...lostInTables, ...[...sent.keys()].filter((key) => !listed.has(key))]).size;
  return {
    acked: sent.size,
    storedInTables: stored.size,
    listedByApi: listed.size,
    lost,
    doubleCounted,
    phantom,
    wrongValue,
    customerMonths: sentTotals.size,
    invoicesChecked: sentTotals.size,
    invoiceMismatches,
    problems,
  };
}
