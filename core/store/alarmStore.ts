// Alarm state and events in DynamoDB (table alarmes and its ativos index); access paths: dynamoRepository.ts.
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { InvalidInput } from '../errors';
import type { ActiveAlarm, AlarmAcknowledger, AlarmEvent } from '../model';
import { activeAlarmKey, alarmEventKey } from './keys';
import { transact } from './transaction';
import { unmarshall } from '@aws-sdk/util-dynamodb';
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
    const cancelled = await transact(this.db, [
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
    ]);
    return cancelled === undefined; // cancelled: another evaluation fired it first
  }

  async clearAlarm(alarm: ActiveAlarm, clearedMs: number): Promise<boolean> {
    const eventKey = eventKeyOf(alarm);
    const cancelled = await transact(this.db, [
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
    ]);
    return cancelled === undefined; // cancelled: another evaluation cleared it first
  }

  /**
   * One conditional update of the event item: the first acknowledgement wins, a repeat fails its
   * condition and the stored item (ALL_OLD) is the answer; no item at all means no such event.
   */
  async acknowledgeAlarm(
    customerId: string,
    which: Pick<AlarmEvent, 'key' | 'firedMs'>,
    acknowledgement: { atMs: number; by: AlarmAcknowledger },
  ): Promise<AlarmEvent | undefined> {
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.table.alarmes,
          Key: { id: customerId, sk: eventKeyOf(which) },
          UpdateExpression: 'SET reconhecidoEm = :at, reconhecidoPor = :by',
          ConditionExpression: 'attribute_exists(sk) AND attribute_not_exists(reconhecidoEm)',
          ExpressionAttributeValues: { ':at': acknowledgement.atMs, ':by': acknowledgement.by },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return Attributes ? toAlarmEvent(Attributes) : undefined;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return error.Item ? toAlarmEvent(unmarshall(error.Item)) : undefined;
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
    return (Items ?? []).map(toAlarmEvent);
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

function toAlarmEvent(item: Record<string, unknown>): AlarmEvent {
  return {
    key: String(item.sk).split('#').slice(2).join('#'),
    regra: String(item.regra),
    ...(item.id_medidor === undefined ? {} : { meterId: num(item.id_medidor) }),
    firedMs: num(item.disparadoEm),
    ...(item.encerradoEm === undefined ? {} : { clearedMs: num(item.encerradoEm) }),
    ...(item.reconhecidoEm === undefined ? {} : { acknowledgedMs: num(item.reconhecidoEm), acknowledgedBy: item.reconhecidoPor === 'staff' ? 'staff' : 'cliente' }),
    mensagem: String(item.mensagem),
  };
}

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

