// Alarm state and events in DynamoDB (table alarmes and its ativos index); access paths: dynamoRepository.ts.
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { InvalidInput } from '../errors';
import type { ActiveAlarm, AlarmEvent } from '../model';
import { activeAlarmKey, alarmEventKey } from './keys';
import { num, queryAll, type Tables } from './dynamoItems';

export class AlarmStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: Pick<Tables, 'alarmes'>,
  ) {}

  async activeAlarms(customerId: string): Promise<ActiveAlarm[]> {
    const items = await queryAll(this.db, {
      TableName: this.table.alarmes,
      KeyConditionExpression: 'id = :id AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':id': customerId, ':prefix': 'ATIVO#' },
      ConsistentRead: true,
    });
    return items.map(toActiveAlarm);
  }

  async fireAlarm(alarm: ActiveAlarm): Promise<boolean> {
    const eventKey = eventKeyOf(alarm);
    const meter = alarm.meterId === undefined ? {} : { id_medidor: alarm.meterId };
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.table.alarmes,
                Item: {
                  id: alarm.customerId,
                  sk: activeAlarmKey(alarm.key),
                  regra: alarm.regra,
                  ...meter,
                  desde: alarm.firedMs,
                  evento: eventKey,
                  mensagem: alarm.mensagem,
                  emAlarme: 'sim',
                },
                ConditionExpression: 'attribute_not_exists(sk)',
              },
            },
            {
              Put: {
                TableName: this.table.alarmes,
                Item: { id: alarm.customerId, sk: eventKey, regra: alarm.regra, ...meter, disparadoEm: alarm.firedMs, mensagem: alarm.mensagem },
              },
            },
          ],
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof TransactionCanceledException) return false; // another evaluation fired it first
      throw error;
    }
  }

  async clearAlarm(alarm: ActiveAlarm, clearedMs: number): Promise<boolean> {
    const eventKey = eventKeyOf(alarm);
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Delete: {
                TableName: this.table.alarmes,
                Key: { id: alarm.customerId, sk: activeAlarmKey(alarm.key) },
                ConditionExpression: 'evento = :event',
                ExpressionAttributeValues: { ':event': eventKey },
              },
            },
            {
              Update: {
                TableName: this.table.alarmes,
                Key: { id: alarm.customerId, sk: eventKey },
                UpdateExpression: 'SET encerradoEm = :cleared',
                ExpressionAttributeValues: { ':cleared': clearedMs },
              },
            },
          ],
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof TransactionCanceledException) return false; // another evaluation cleared it first
      throw error;
    }
  }

  async alarmEvents(customerId: string, limit: number): Promise<AlarmEvent[]> {
    const { Items } = await this.db.send(
      new QueryCommand({
        TableName: this.table.alarmes,
        KeyConditionExpression: 'id = :id AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':id': customerId, ':prefix': 'EVENTO#' },
        ScanIndexForward: false,
        Limit: limit,
        ConsistentRead: true,
      }),
    );
    return (Items ?? []).map((item) => ({
      key: String(item.sk).split('#').slice(2).join('#'),
      regra: String(item.regra),
      ...(item.id_medidor === undefined ? {} : { meterId: num(item.id_medidor) }),
      firedMs: num(item.disparadoEm),
      ...(item.encerradoEm === undefined ? {} : { clearedMs: num(item.encerradoEm) }),
      mensagem: String(item.mensagem),
    }));
  }

  async listActiveAlarms(page: { limit: number; cursor?: string }): Promise<{ alarms: ActiveAlarm[]; cursor: string | null }> {
    let startKey: Record<string, unknown> | undefined;
    if (page.cursor !== undefined) {
      try {
        startKey = JSON.parse(Buffer.from(page.cursor, 'base64url').toString('utf8'));
      } catch {
        startKey = undefined;
      }
      const valid = startKey && typeof startKey.id === 'string' && typeof startKey.sk === 'string' && startKey.emAlarme === 'sim';
      if (!valid) throw new InvalidInput('cursor: does not belong to this query; start again without it', 'cursor');
    }
    const result = await this.db.send(
      new QueryCommand({
        TableName: this.table.alarmes,
        IndexName: 'ativos',
        KeyConditionExpression: 'emAlarme = :yes',
        ExpressionAttributeValues: { ':yes': 'sim' },
        Limit: page.limit,
        ExclusiveStartKey: startKey,
      }),
    );
    const last = result.LastEvaluatedKey;
    return {
      alarms: (result.Items ?? []).map(toActiveAlarm),
      cursor: last ? Buffer.from(JSON.stringify(last), 'utf8').toString('base64url') : null,
    };
  }
}

const eventKeyOf = (alarm: Pick<ActiveAlarm, 'firedMs' | 'key'>) => alarmEventKey(alarm.firedMs, alarm.key);

function toActiveAlarm(item: Record<string, unknown>): ActiveAlarm {
  return {
    customerId: String(item.id),
    key: String(item.sk).slice(activeAlarmKey('').length),
    regra: String(item.regra),
    ...(item.id_medidor === undefined ? {} : { meterId: num(item.id_medidor) }),
    firedMs: num(item.desde),
    mensagem: String(item.mensagem),
  };
}

