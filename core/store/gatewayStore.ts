// The gateways' published figures in DynamoDB (table gateway: one item per instance, TTL on expiraEm).
import { PutCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { GatewayFigures } from '../model';
import { num, type Tables } from './dynamoItems';

export class GatewayStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: Pick<Tables, 'gateway'>,
  ) {}

  /** One unconditional Put: the newest figures replace the previous ones (≈ 0.3 KB, 1 write unit). */
  async publishGatewayFigures(figures: GatewayFigures): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.table.gateway,
        Item: {
          instancia: figures.instanceId,
          iniciadoEm: figures.startedMs,
          publicadoEm: figures.publishedMs,
          // DynamoDB's TTL reads epoch seconds (rounded down: "gone now" is never read as alive for one more
          // second); readers compare expiraEm themselves, as TTL deletes only eventually.
          expiraEm: Math.floor(figures.expiresMs / 1000),
          recebidas: figures.received,
          gravadas: figures.stored,
          duplicadas: figures.duplicates,
          rejeitadas: figures.rejected,
          emAndamento: figures.inFlight,
          leiturasPorSegundo: figures.perSecond,
          latenciaP50Ms: figures.p50Ms ?? undefined,
          latenciaP99Ms: figures.p99Ms ?? undefined,
        },
      }),
    );
  }

  /** A Scan: the table holds one small item per gateway instance (a handful), so it is one page. */
  async listGatewayFigures(): Promise<GatewayFigures[]> {
    const figures: GatewayFigures[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(new ScanCommand({ TableName: this.table.gateway, ExclusiveStartKey: startKey }));
      figures.push(...(page.Items ?? []).map(toFigures));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return figures;
  }
}

function toFigures(item: Record<string, unknown>): GatewayFigures {
  const optional = (value: unknown) => (value === undefined ? null : num(value));
  const rejected = Object.fromEntries(Object.entries((item.rejeitadas ?? {}) as Record<string, unknown>).map(([code, count]) => [code, num(count)]));
  return {
    instanceId: String(item.instancia),
    startedMs: num(item.iniciadoEm),
    publishedMs: num(item.publicadoEm),
    expiresMs: num(item.expiraEm) * 1000,
    received: num(item.recebidas),
    stored: num(item.gravadas),
    duplicates: num(item.duplicadas),
    rejected,
    inFlight: num(item.emAndamento),
    perSecond: num(item.leiturasPorSegundo),
    p50Ms: optional(item.latenciaP50Ms),
    p99Ms: optional(item.latenciaP99Ms),
  };
}
