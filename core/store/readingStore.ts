// The readings' tables in DynamoDB: blocos (a meter's readings, one item per 6 local hours) and
// totais (a meter's folded month totals), plus the meter bookkeeping that storing readings does.
// Key formats: core/store/keys.ts. Tables and access paths: core/store/dynamoRepository.ts.
import {
  ConditionalCheckFailedException,
  TransactionCanceledException,
  type AttributeValue,
  type CancellationReason,
} from '@aws-sdk/client-dynamodb';
import {
  GetCommand,
  NumberValue,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { Decimal } from '../decimal';
import { CustomerNotFound, MeterNotFound, ReadingConflict } from '../errors';
import type { BucketLevel, Meter, Reading, ReadingPage, StoreOptions, StoreOutcome } from '../model';
import { bucketsOf } from '../periods';
import { num, queryAll } from './dynamoItems';
import {
  blockKey,
  blockKeyRange,
  dayAttribute,
  decodeCursor,
  encodeCursor,
  excessEntry,
  foldTarget,
  isLate,
  monthItemKey,
  parseBlockKey,
  parseExcessEntry,
  parseMonthItemKey,
  parseSlot,
  readingKeyRange,
  RECENT_BLOCKS_MS,
  readingSortKey,
  SEQ_CHECKPOINT,
  slotName,
  windowOf,
  windowOfBuckets,
} from './keys';

/**
 * How writes are grouped. `item`: each block update is its own UpdateItem (one write unit per
 * reading in AWS, the cheapest shape). `transaction`: up to 100 block updates share one
 * TransactWriteItems (twice the units in AWS, several times faster on DynamoDB Local). The layout
 * and the conditions are the same either way.
 */
export type WriteGrouping = 'item' | 'transaction';

export interface ReadingTables {
  blocos: string;
  totais: string;
  medidores: string;
  clientes: string;
}

type Item = Record<string, unknown>;
type TransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];

const dec = (value: unknown): Decimal => new Decimal(String(value instanceof NumberValue ? value.value : (value ?? 0)));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const MAX_TRANSACTION_ITEMS = 100;
/**
 * Readings one UpdateItem puts in a block: each adds ≈ 60 bytes to the condition expression, and
 * DynamoDB refuses expressions over 4 KB (a migration page or a dense meter can bring hundreds).
 */
const MAX_SLOTS_PER_WRITE = 40;
const MAX_ATTEMPTS = 8;
/** Single-item updates of one storeReadings call in flight at once. */
const ITEM_CONCURRENCY = 32;
/** Blocks of the first Query page when listing readings, per reading asked for (≈ 24 readings a block at 15 minutes); each further page asks 4 × more. */
const LIST_BLOCKS_PER_READING = 1 / 12;
/** After every window's key (windows are YYYY-MM-DDTHH). */
const LAST_WINDOW = '9999';

interface Pending {
  index: number;
  reading: Reading;
  late: boolean;
}

/** One item write: a block (its readings' slots) or a month item (late readings' totals). */
interface BlockWrite {
  kind: 'block';
  key: { id: string; sk: string };
  readings: Pending[];
  /** Readings above this also enter the block's set of large readings (the single-reading alarm). */
  excessOver: number;
}
interface MonthWrite {
  kind: 'month';
  key: { id: string; sk: string };
  kwh: Decimal;
  count: number;
  days: Map<string, Decimal>;
  excess: string[];
}
type Write = BlockWrite | MonthWrite;

/** Writes that must land together: a block alone, or a meter-month's late blocks with their month item. */
interface WriteGroup {
  writes: Write[];
  readings: Pending[];
}

/** What a block holds, read back. */
interface Block {
  window: string;
  day: string;
  month: string;
  meterId: number;
  /** kWh and count of its on-time readings (what folding moves into the month item). */
  kwh: Decimal;
  slots: { timestampMs: number; late: boolean; valor: number }[];
  excess: string[];
}

function toBlock(item: Item): Block {
  const { window, day, month, meterId } = parseBlockKey(String(item.sk));
  const slots: Block['slots'] = [];
  for (const [name, value] of Object.entries(item)) {
    const slot = parseSlot(name);
    if (slot) slots.push({ ...slot, valor: num(value) });
  }
  slots.sort((a, b) => a.timestampMs - b.timestampMs);
  return { window, day, month, meterId, kwh: dec(item.kwh), slots, excess: setValues(item.grandes) };
}

function setValues(value: unknown): string[] {
  if (value instanceof Set) return [...value].map(String);
  if (Array.isArray(value)) return value.map(String);
  return [];
}

/** A month item read back: its totals and the window its blocks are folded up to (exclusive). */
interface MonthItem {
  month: string;
  meterId: number;
  kwh: Decimal;
  days: Map<string, Decimal>;
  excess: string[];
  foldedBefore?: string;
}

function toMonthItem(item: Item): MonthItem {
  const { month, meterId } = parseMonthItemKey(String(item.sk));
  const days = new Map<string, Decimal>();
  for (const [name, value] of Object.entries(item)) {
    if (/^d\d\d$/.test(name)) days.set(`${month}-${name.slice(1)}`, dec(value));
  }
  return {
    month,
    meterId,
    kwh: dec(item.kwh),
    days,
    excess: setValues(item.grandes),
    ...(item.ate === undefined ? {} : { foldedBefore: String(item.ate) }),
  };
}

/** Months from `first` to `last`, YYYY-MM, inclusive. */
function monthsBetween(first: string, last: string): string[] {
  const months: string[] = [];
  for (let month = first; month <= last; month = nextMonth(month)) months.push(month);
  return months;
}

const firstWindowOf = (month: string) => `${month}-01T00`;

function nextMonth(month: string): string {
  const [year, number] = month.split('-').map(Number);
  return number === 12 ? `${year + 1}-01` : `${year}-${String(number + 1).padStart(2, '0')}`;
}

/**
 * The first window of [firstMonth, lastMonth] whose blocks are not all folded into the month items:
 * within a month, every block before its items' earliest `ate` is folded (a meter without an item
 * has no on-time block before it either: see consolidate). Undefined: fully folded, no block needed.
 */
function unfoldedFrom(months: MonthItem[], firstMonth: string, lastMonth: string): string | undefined {
  const monthList = monthsBetween(firstMonth, lastMonth);
  for (const [position, month] of monthList.entries()) {
    const bounds = months.filter((item) => item.month === month).map((item) => item.foldedBefore ?? firstWindowOf(month));
    const bound = bounds.length ? bounds.reduce((a, b) => (a < b ? a : b)) : firstWindowOf(month);
    const end = firstWindowOf(position + 1 < monthList.length ? monthList[position + 1] : nextMonth(month));
    if (bound < end) return bound;
  }
  return undefined;
}

export class ReadingStore {
  /** Meters known to exist: meters are never deleted, so once seen, always valid. */
  private readonly knownMeters = new Set<string>();
  /** Highest seq checkpoint per meter as this process knows it (read with the credentials, or written). */
  private readonly seqCheckpoints = new Map<string, number | undefined>();
  /** Totals reads under way, shared by identical concurrent asks. */
  private readonly totalsInFlight = new Map<string, Promise<{ months: MonthItem[]; blocks: Block[] }>>();

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: ReadingTables,
    private readonly grouping: WriteGrouping,
    /** The zone the blocks' windows are cut in (LUZ_TZ): part of the layout. */
    private readonly timeZone: string,
  ) {}

  /** The gateway read a meter's credentials: it exists, and this is its stored seq checkpoint. */
  sawMeter(customerId: string, meterId: number, highestSeq: number | undefined): void {
    this.knownMeters.add(`${customerId}#${meterId}`);
    this.seqCheckpoints.set(`${customerId}#${meterId}`, highestSeq);
  }

  /** A new secret starts a new sequence. */
  forgetSeq(customerId: string, meterId: number): void {
    this.seqCheckpoints.delete(`${customerId}#${meterId}`);
  }

  // ---------------------------------------------------------------- storing

  async storeReadings(readings: Reading[], options: StoreOptions): Promise<StoreOutcome[]> {
    const outcomes: StoreOutcome[] = new Array(readings.length);
    const { firsts, followers } = splitRepeats(readings);
    const valid = await this.rejectUnknownMeters(firsts, outcomes);
    const pending = valid.map(({ index, reading }) => ({ index, reading, late: isLate(reading.timestampMs, options.nowMs) }));
    for (const round of slotRounds(pending, options.timeZone)) await this.writeUntilSettled(round, options, outcomes);
    settleRepeats(followers, firsts, outcomes);
    await this.checkpointSeqs(valid, outcomes);
    return outcomes;
  }

  /** Readings of unknown meters are rejected before any write (one strongly consistent read per meter not seen before). */
  private async rejectUnknownMeters(entries: { index: number; reading: Reading }[], outcomes: StoreOutcome[]) {
    const unseen = new Map<string, { customerId: string; meterId: number }>();
    for (const { reading } of entries) {
      const key = `${reading.customerId}#${reading.meterId}`;
      if (!this.knownMeters.has(key)) unseen.set(key, { customerId: reading.customerId, meterId: reading.meterId });
    }
    const missing = new Map<string, MeterNotFound | CustomerNotFound>();
    await Promise.all(
      [...unseen.entries()].map(async ([key, { customerId, meterId }]) => {
        const { Item } = await this.db.send(
          new GetCommand({ TableName: this.table.medidores, Key: { id: customerId, id_medidor: meterId }, ProjectionExpression: 'id', ConsistentRead: true }),
        );
        if (Item) return void this.knownMeters.add(key);
        const customer = await this.db.send(
          new GetCommand({ TableName: this.table.clientes, Key: { id: customerId }, ProjectionExpression: 'id', ConsistentRead: true }),
        );
        missing.set(key, customer.Item ? new MeterNotFound(customerId, meterId) : new CustomerNotFound(customerId));
      }),
    );
    return entries.filter(({ index, reading }) => {
      const error = missing.get(`${reading.customerId}#${reading.meterId}`);
      if (error) outcomes[index] = { status: 'rejected', error };
      return !error;
    });
  }

  /** Attempt, settle what a failed condition says (duplicates, conflicts), retry the rest. */
  private async writeUntilSettled(pending: Pending[], options: StoreOptions, outcomes: StoreOutcome[]): Promise<void> {
    for (let attempt = 1; pending.length > 0; attempt++) {
      const groups = groupWrites(pending, options.timeZone, options.excessOverKwh);
      const failures = await this.sendGroups(groups);
      const retry: Pending[] = [];
      let settledAny = false;
      for (const [position, group] of groups.entries()) {
        const failure = failures.get(position);
        if (!failure) {
          for (const { index } of group.readings) outcomes[index] = { status: 'stored' };
          continue;
        }
        const settled = settleFromStoredBlocks(failure.storedBlocks, group.readings, outcomes);
        settledAny ||= settled.size > 0;
        retry.push(...group.readings.filter(({ index }) => !settled.has(index)));
        if (!failure.explained && attempt >= MAX_ATTEMPTS) throw failure.error;
      }
      pending = retry;
      // Only contention remained (another writer on the same item): back off before the next try.
      if (pending.length > 0 && !settledAny) await sleep(Math.random() * 10 * 2 ** attempt);
    }
  }

  /** Sends every group; returns, by group position, the failures with the blocks they found stored. */
  private async sendGroups(groups: WriteGroup[]): Promise<Map<number, GroupFailure>> {
    const failures = new Map<number, GroupFailure>();
    if (this.grouping === 'item') {
      let next = 0;
      const worker = async () => {
        for (let position = next++; position < groups.length; position = next++) {
          const failure = await this.sendAlone(groups[position]);
          if (failure) failures.set(position, failure);
        }
      };
      await Promise.all(Array.from({ length: Math.min(ITEM_CONCURRENCY, groups.length) }, worker));
      return failures;
    }
    for (const batch of packTransactions(groups)) {
      const failure = await this.sendTransaction(batch.map((position) => groups[position]));
      if (failure) for (const position of batch) failures.set(position, failure);
    }
    return failures;
  }

  private async sendAlone(group: WriteGroup): Promise<GroupFailure | undefined> {
    if (group.writes.length > 1) return this.sendTransaction([group]);
    try {
      await this.db.send(new UpdateCommand(this.updateOf(group.writes[0])));
      return undefined;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const item = error.Item ? unmarshall(error.Item as Record<string, AttributeValue>, { wrapNumbers: true }) : undefined;
      return { error, explained: item !== undefined, storedBlocks: item ? [item] : [] };
    }
  }

  private async sendTransaction(groups: WriteGroup[]): Promise<GroupFailure | undefined> {
    const writes = groups.flatMap((group) => group.writes);
    try {
      await this.db.send(new TransactWriteCommand({ TransactItems: writes.map((write): TransactItem => ({ Update: this.updateOf(write) })) }));
      return undefined;
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const reasons: CancellationReason[] = error.CancellationReasons ?? [];
      const storedBlocks = reasons.flatMap((reason) =>
        reason.Code === 'ConditionalCheckFailed' && reason.Item ? [unmarshall(reason.Item, { wrapNumbers: true })] : [],
      );
      return { error, explained: storedBlocks.length > 0, storedBlocks };
    }
  }

  /** The one UpdateItem of a write: slots SET under "absent" conditions, totals ADDed. */
  private updateOf(write: Write) {
    const { names, values, adds, add } = additions();
    const sets: string[] = [];
    const conditions: string[] = [];
    if (write.kind === 'block') {
      let onTime = new Decimal(0);
      let onTimeCount = 0;
      const excess: string[] = [];
      for (const [n, { reading, late }] of write.readings.entries()) {
        names[`#s${n}`] = slotName(reading.timestampMs, late);
        // A reading is one slot, on time or late: neither name may exist yet.
        names[`#o${n}`] = slotName(reading.timestampMs, !late);
        values[`:s${n}`] = reading.valor;
        sets.push(`#s${n} = :s${n}`);
        conditions.push(`attribute_not_exists(#s${n})`, `attribute_not_exists(#o${n})`);
        if (!late) {
          onTime = onTime.plus(reading.valor);
          onTimeCount += 1;
        }
        if (reading.valor > write.excessOver) excess.push(excessEntry(reading.timestampMs, reading.valor));
      }
      if (onTimeCount > 0) {
        add('kwh', NumberValue.from(onTime.toString()));
        add('n', onTimeCount);
      }
      if (excess.length > 0) add('grandes', new Set(excess));
      return {
        TableName: this.table.blocos,
        Key: write.key,
        UpdateExpression: `SET ${sets.join(', ')}${adds.length ? ` ADD ${adds.join(', ')}` : ''}`,
        ConditionExpression: conditions.join(' AND '),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
      };
    }
    add('kwh', NumberValue.from(write.kwh.toString()));
    add('n', write.count);
    for (const [day, kwh] of write.days) add(dayAttribute(day), NumberValue.from(kwh.toString()));
    if (write.excess.length > 0) add('grandes', new Set(write.excess));
    return {
      TableName: this.table.totais,
      Key: write.key,
      UpdateExpression: `ADD ${adds.join(', ')}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    };
  }

  /**
   * The anchor of the gateway's anti-replay window: a signed meter's highest stored seq is written
   * down when it is SEQ_CHECKPOINT past the last checkpoint this process knows (or the first time),
   * a conditional update that only raises it. Not atomic with the reading: a lost checkpoint only
   * widens the window a little, and storage still refuses to count a replay twice.
   */
  private async checkpointSeqs(stored: { index: number; reading: Reading }[], outcomes: StoreOutcome[]): Promise<void> {
    const highest = new Map<string, { customerId: string; meterId: number; seq: number }>();
    for (const { index, reading } of stored) {
      if (reading.seq === undefined || outcomes[index].status !== 'stored') continue;
      const key = `${reading.customerId}#${reading.meterId}`;
      if ((highest.get(key)?.seq ?? -1) < reading.seq) highest.set(key, { customerId: reading.customerId, meterId: reading.meterId, seq: reading.seq });
    }
    await Promise.all(
      [...highest.entries()].map(async ([key, { customerId, meterId, seq }]) => {
        const known = this.seqCheckpoints.get(key);
        if (known !== undefined && seq < known + SEQ_CHECKPOINT) return;
        this.seqCheckpoints.set(key, Math.max(seq, known ?? seq));
        try {
          await this.db.send(
            new UpdateCommand({
              TableName: this.table.medidores,
              Key: { id: customerId, id_medidor: meterId },
              UpdateExpression: 'SET seqMaximo = :seq',
              ConditionExpression: 'attribute_exists(id_medidor) AND (attribute_not_exists(seqMaximo) OR seqMaximo < :seq)',
              ExpressionAttributeValues: { ':seq': seq },
            }),
          );
        } catch (error) {
          if (!(error instanceof ConditionalCheckFailedException)) throw error; // already as high
        }
      }),
    );
  }

  // ---------------------------------------------------------------- folding

  /**
   * Folds the blocks every reading of which is settled (older than LATE_READING_MS + FOLD_MARGIN_MS)
   * into their month items, at most once per local day per customer. One transaction per month
   * passed: each meter's month item gets the kWh of its folded blocks and `ate` (the window its blocks
   * are folded up to), and the customer's `consolidadoAte` moves on under a condition, so two folds
   * never both count a block. Blocks are only read, never changed, so a read that meets a fold half
   * way still adds up (see `totalsOf`).
   */
  async consolidate(customerId: string, options: { timeZone: string; nowMs: number }): Promise<void> {
    const target = foldTarget(options.nowMs, options.timeZone);
    const { Item: customer } = await this.db.send(
      new GetCommand({ TableName: this.table.clientes, Key: { id: customerId }, ProjectionExpression: 'consolidadoAte', ConsistentRead: true }),
    );
    if (!customer) return;
    const horizon = customer.consolidadoAte === undefined ? undefined : String(customer.consolidadoAte);
    if (horizon !== undefined && horizon.slice(0, 10) >= target.slice(0, 10)) return;
    const [blocks, meters] = await Promise.all([
      queryAll(this.db, {
        TableName: this.table.blocos,
        KeyConditionExpression: horizon === undefined ? 'id = :id AND sk < :last' : 'id = :id AND sk BETWEEN :first AND :last',
        ExpressionAttributeValues: { ':id': customerId, ':last': `${target}#`, ...(horizon === undefined ? {} : { ':first': `${horizon}#` }) },
        ConsistentRead: true,
      }).then((items) => items.map(toBlock)),
      queryAll(this.db, {
        TableName: this.table.medidores,
        KeyConditionExpression: 'id = :id',
        ExpressionAttributeValues: { ':id': customerId },
        ProjectionExpression: 'id_medidor, ultimaLeitura',
        ConsistentRead: true,
      }),
    ]);
    const firstMonth = horizon?.slice(0, 7) ?? blocks[0]?.month ?? target.slice(0, 7);
    const months = monthsBetween(firstMonth, target.slice(0, 7));
    let previous = horizon;
    for (const [position, month] of months.entries()) {
      const last = position === months.length - 1;
      const next = last ? target : firstWindowOf(months[position + 1]);
      const writes: TransactItem[] = [];
      for (const meter of meters) {
        const meterId = num(meter.id_medidor);
        const folded = blocks.filter((block) => block.month === month && block.meterId === meterId);
        writes.push({ Update: this.foldUpdate(customerId, month, meterId, folded, next) });
        const newest = Math.max(...blocks.filter((block) => block.meterId === meterId).flatMap((block) => block.slots.filter((slot) => !slot.late).map((slot) => slot.timestampMs)));
        if (last && Number.isFinite(newest) && !(meter.ultimaLeitura !== undefined && num(meter.ultimaLeitura) >= newest)) {
          // Only a fold sets it, and folds are serialized by consolidadoAte: no condition needed.
          writes.push({
            Update: {
              TableName: this.table.medidores,
              Key: { id: customerId, id_medidor: meterId },
              UpdateExpression: 'SET ultimaLeitura = :ts',
              ExpressionAttributeValues: { ':ts': newest },
            },
          });
        }
      }
      writes.push({
        Update: {
          TableName: this.table.clientes,
          Key: { id: customerId },
          UpdateExpression: 'SET consolidadoAte = :next',
          ConditionExpression: previous === undefined ? 'attribute_not_exists(consolidadoAte)' : 'consolidadoAte = :previous',
          ExpressionAttributeValues: { ':next': next, ...(previous === undefined ? {} : { ':previous': previous }) },
        },
      });
      if (writes.length > MAX_TRANSACTION_ITEMS) throw new Error(`consolidate: ${meters.length} meters do not fit one transaction`);
      try {
        await this.db.send(new TransactWriteCommand({ TransactItems: writes }));
      } catch (error) {
        if (error instanceof TransactionCanceledException) return; // another fold moved on first
        throw error;
      }
      previous = next;
    }
  }

  private foldUpdate(customerId: string, month: string, meterId: number, blocks: Block[], foldedBefore: string) {
    const { names, values, adds, add } = additions();
    names['#ate'] = 'ate';
    values[':ate'] = foldedBefore;
    const days = new Map<string, Decimal>();
    let kwh = new Decimal(0);
    for (const block of blocks) {
      kwh = kwh.plus(block.kwh);
      days.set(block.day, (days.get(block.day) ?? new Decimal(0)).plus(block.kwh));
    }
    const excess = [...new Set(blocks.flatMap((block) => block.excess))];
    if (blocks.length > 0) add('kwh', NumberValue.from(kwh.toString()));
    for (const [day, dayKwh] of days) if (!dayKwh.isZero()) add(dayAttribute(day), NumberValue.from(dayKwh.toString()));
    if (excess.length > 0) add('grandes', new Set(excess));
    return {
      TableName: this.table.totais,
      Key: { id: customerId, sk: monthItemKey(month, meterId) },
      UpdateExpression: `SET #ate = :ate${adds.length ? ` ADD ${adds.join(', ')}` : ''}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    };
  }

  // ---------------------------------------------------------------- reading

  /**
   * Totals of a customer over whole months: each meter's month item (folded blocks and late
   * readings) plus the kWh of its blocks not folded into it yet — a block counts from its own kwh
   * exactly when its window is at or after its month item's `ate`. Folding only reads blocks and
   * on-time writes never reach a folded one, so month items and blocks read at slightly different
   * moments still add up to every reading exactly once.
   */
  private totalsOf(customerId: string, firstMonth: string, lastMonth: string) {
    // The alarm rules ask for a month's total, its days and its large readings at once: one read serves all three.
    const key = `${customerId}#${firstMonth}#${lastMonth}`;
    let totals = this.totalsInFlight.get(key);
    if (!totals) {
      totals = this.readTotals(customerId, firstMonth, lastMonth).finally(() => this.totalsInFlight.delete(key));
      this.totalsInFlight.set(key, totals);
    }
    return totals;
  }

  private async readTotals(customerId: string, firstMonth: string, lastMonth: string): Promise<{ months: MonthItem[]; blocks: Block[] }> {
    const monthsRead = queryAll(this.db, {
      TableName: this.table.totais,
      KeyConditionExpression: 'id = :id AND sk BETWEEN :first AND :last',
      ExpressionAttributeValues: { ':id': customerId, ':first': `${firstMonth}#`, ':last': `${lastMonth}#~` },
    }).then((items) => items.map(toMonthItem));
    const upTo = `${lastMonth}-31T18`;
    const [months, read] = await Promise.all([
      monthsRead,
      this.blocksSince(customerId, firstWindowOf(firstMonth), upTo, monthsRead.then((items) => unfoldedFrom(items, firstMonth, lastMonth))),
    ]);
    const foldedBefore = new Map(months.map((item) => [`${item.month}#${item.meterId}`, item.foldedBefore ?? firstWindowOf(item.month)]));
    const blocks = read.filter(
      (block) => block.month <= lastMonth && block.window >= (foldedBefore.get(`${block.month}#${block.meterId}`) ?? firstWindowOf(block.month)),
    );
    return { months, blocks };
  }

  /**
   * The blocks of windows [from, upTo], where `from` comes from another read under way (month items'
   * `ate`, the customer's consolidadoAte; undefined: no block is needed). The recent windows, where
   * unfolded blocks are while the fold keeps up (RECENT_BLOCKS_MS), are read at once, in parallel with
   * that read, so the answer usually takes one round trip; older windows cost a second one, only
   * when `from` turns out to reach back that far. The clock only places that split: any `from` is
   * answered in full.
   */
  private async blocksSince(customerId: string, earliest: string, upTo: string, from: Promise<string | undefined>): Promise<Block[]> {
    const recentWindow = windowOf(Date.now() - RECENT_BLOCKS_MS, this.timeZone);
    const split = recentWindow > earliest ? recentWindow : earliest;
    const query = (first: string, last: string) =>
      queryAll(this.db, {
        TableName: this.table.blocos,
        KeyConditionExpression: 'id = :id AND sk BETWEEN :first AND :last',
        ExpressionAttributeValues: { ':id': customerId, ':first': `${first}#`, ':last': last },
      }).then((items) => items.map(toBlock));
    const recent = split <= upTo ? query(split, `${upTo}#~`) : Promise.resolve([] as Block[]);
    recent.catch(() => undefined); // awaited below; a failure is reported there, not as unhandled
    const start = await from;
    if (start === undefined || start > upTo) {
      await recent;
      return [];
    }
    // `${split}#` sorts before every key of the window `split`: the older part ends just before it.
    const olderLast = split <= upTo ? `${split}#` : `${upTo}#~`;
    const [older, newer] = await Promise.all([start < split ? query(start, olderLast) : [], recent]);
    return [...older, ...newer].filter((block) => block.window >= start);
  }

  async sumBuckets(customerId: string, level: BucketLevel, firstKey: string, lastKey: string): Promise<Map<string, Decimal>> {
    const sums = new Map<string, Decimal>();
    const plus = (bucket: string, kwh: Decimal) => {
      if (bucket >= firstKey && bucket <= lastKey && !kwh.isZero()) sums.set(bucket, (sums.get(bucket) ?? new Decimal(0)).plus(kwh));
    };
    if (level === 'hour') {
      // Hours come from the slots themselves: a day's blocks are few.
      const range = blockKeyRange(windowOfBuckets({ hour: firstKey, day: firstKey.slice(0, 10) }), windowOfBuckets({ hour: lastKey, day: lastKey.slice(0, 10) }));
      const blocks = (await queryAll(this.db, {
        TableName: this.table.blocos,
        KeyConditionExpression: 'id = :id AND sk BETWEEN :first AND :last',
        ExpressionAttributeValues: { ':id': customerId, ':first': range.first, ':last': range.last },
      })).map(toBlock);
      for (const block of blocks) for (const slot of block.slots) plus(bucketsOf(slot.timestampMs, this.timeZone).hour, new Decimal(slot.valor));
      return sortedMap(sums);
    }
    const { months, blocks } = await this.totalsOf(customerId, firstKey.slice(0, 7), lastKey.slice(0, 7));
    for (const item of months) {
      if (level === 'month') plus(item.month, item.kwh);
      else for (const [day, kwh] of item.days) plus(day, kwh);
    }
    for (const block of blocks) plus(level === 'month' ? block.month : block.day, block.kwh);
    return sortedMap(sums);
  }

  async meterMonthKwh(customerId: string, month: string): Promise<Map<number, Decimal>> {
    const { months, blocks } = await this.totalsOf(customerId, month, month);
    const sums = new Map<number, Decimal>();
    const plus = (meterId: number, kwh: Decimal) => {
      if (!kwh.isZero()) sums.set(meterId, (sums.get(meterId) ?? new Decimal(0)).plus(kwh));
    };
    for (const item of months) plus(item.meterId, item.kwh);
    for (const block of blocks) plus(block.meterId, block.kwh);
    return sums;
  }

  async excessReadings(customerId: string, month: string): Promise<Reading[]> {
    const { months, blocks } = await this.totalsOf(customerId, month, month);
    const byKey = new Map<string, Reading>();
    for (const { meterId, excess } of [...months, ...blocks]) {
      for (const entry of excess) {
        const { timestampMs, valor } = parseExcessEntry(entry);
        byKey.set(readingSortKey(timestampMs, meterId), { customerId, meterId, valor, timestampMs });
      }
    }
    return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, reading]) => reading);
  }

  async findReading(customerId: string, meterId: number, timestampMs: number): Promise<Reading | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.table.blocos, Key: { id: customerId, sk: blockKey(windowOf(timestampMs, this.timeZone), meterId) }, ConsistentRead: true }),
    );
    const value = Item?.[slotName(timestampMs, false)] ?? Item?.[slotName(timestampMs, true)];
    return value === undefined ? undefined : { customerId, meterId, valor: num(value), timestampMs };
  }

  /** Readings in [startMs, endMs) by time then meter: blocks a window at a time, every meter's merged. */
  async listReadings(
    customerId: string,
    range: { startMs: number; endMs: number },
    page: { limit: number; cursor?: string },
  ): Promise<ReadingPage> {
    const timeZone = this.timeZone;
    const keys = readingKeyRange(range);
    const after = page.cursor === undefined ? undefined : decodeCursor(page.cursor, keys);
    const fromMs = after === undefined ? range.startMs : Number(after.slice(0, 14));
    const selected: { key: string; reading: Reading }[] = [];
    const lastBlock = blockKeyRange(windowOf(range.endMs - 1, timeZone), windowOf(range.endMs - 1, timeZone)).last;
    let startKey: Item | undefined;
    let pageBlocks = Math.max(4, Math.ceil(page.limit * LIST_BLOCKS_PER_READING));
    let window: Block[] = [];
    const flushWindow = () => {
      const readings = window
        .flatMap((block) => block.slots.map((slot) => ({ key: readingSortKey(slot.timestampMs, block.meterId), reading: { customerId, meterId: block.meterId, valor: slot.valor, timestampMs: slot.timestampMs } })))
        .filter(({ key }) => key >= keys.first && key <= keys.last && (after === undefined || key > after))
        .sort((a, b) => (a.key < b.key ? -1 : 1));
      selected.push(...readings.slice(0, page.limit - selected.length));
      window = [];
    };
    do {
      const result = await this.db.send(
        new QueryCommand({
          TableName: this.table.blocos,
          KeyConditionExpression: 'id = :id AND sk BETWEEN :first AND :last',
          ExpressionAttributeValues: { ':id': customerId, ':first': `${windowOf(fromMs, timeZone)}#`, ':last': lastBlock },
          Limit: pageBlocks,
          ExclusiveStartKey: startKey,
        }),
      );
      pageBlocks *= 4;
      for (const block of (result.Items ?? []).map(toBlock)) {
        if (window.length > 0 && window[0].window !== block.window) flushWindow();
        if (selected.length >= page.limit) break;
        window.push(block);
      }
      startKey = result.LastEvaluatedKey;
    } while (startKey && selected.length < page.limit);
    if (selected.length < page.limit) flushWindow();
    const full = selected.length === page.limit && selected.length > 0;
    return { readings: selected.map(({ reading }) => reading), cursor: full ? encodeCursor(selected[selected.length - 1].key) : null };
  }

  /**
   * The customer's meters with their newest on-time reading: the one a fold wrote down
   * (medidores.ultimaLeitura) or a newer one in a block not folded yet.
   */
  async listMeters(customerId: string): Promise<Meter[]> {
    // Eventually consistent: a newest-reading time a few hundred ms old is as good for the silent-meter rule.
    const horizon = this.db
      .send(new GetCommand({ TableName: this.table.clientes, Key: { id: customerId }, ProjectionExpression: 'consolidadoAte' }))
      .then(({ Item }) => (Item?.consolidadoAte === undefined ? '' : String(Item.consolidadoAte)));
    const [meters, blocks] = await Promise.all([
      queryAll(this.db, { TableName: this.table.medidores, KeyConditionExpression: 'id = :id', ExpressionAttributeValues: { ':id': customerId } }),
      this.blocksSince(customerId, '', LAST_WINDOW, horizon),
    ]);
    const newest = new Map<number, number>();
    for (const block of blocks) {
      for (const slot of block.slots) if (!slot.late && slot.timestampMs > (newest.get(block.meterId) ?? -Infinity)) newest.set(block.meterId, slot.timestampMs);
    }
    return meters.map((item) => {
      const meterId = num(item.id_medidor);
      const last = Math.max(item.ultimaLeitura === undefined ? -Infinity : num(item.ultimaLeitura), newest.get(meterId) ?? -Infinity);
      return { meterId, createdAt: String(item.createdAt), ...(Number.isFinite(last) ? { lastReadingMs: last } : {}) };
    });
  }
}

/** An update expression's ADD clauses, each attribute behind a placeholder (slot and day names are data). */
function additions() {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const adds: string[] = [];
  const add = (attribute: string, value: unknown) => {
    const n = adds.length;
    names[`#a${n}`] = attribute;
    values[`:a${n}`] = value;
    adds.push(`#a${n} :a${n}`);
  };
  return { names, values, adds, add };
}

interface GroupFailure {
  error: unknown;
  /** Whether the failure named what is stored (a failed slot condition), so retrying makes progress. */
  explained: boolean;
  /** The blocks, as stored, whose conditions failed. */
  storedBlocks: Item[];
}

const sortedMap = <V>(map: Map<string, V>) => new Map([...map.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));

/** Two readings with one identity in the same batch: the first stands for both. */
function splitRepeats(readings: Reading[]) {
  const firsts = new Map<string, { index: number; reading: Reading }>();
  const followers: { index: number; reading: Reading; key: string }[] = [];
  for (const [index, reading] of readings.entries()) {
    const key = `${reading.customerId}#${readingSortKey(reading.timestampMs, reading.meterId)}`;
    if (firsts.has(key)) followers.push({ index, reading, key });
    else firsts.set(key, { index, reading });
  }
  return { firsts: [...firsts.values()], followers, byKey: firsts };
}

function settleRepeats(
  followers: { index: number; reading: Reading; key: string }[],
  firsts: { index: number; reading: Reading }[],
  outcomes: StoreOutcome[],
): void {
  const byKey = new Map(firsts.map((first) => [`${first.reading.customerId}#${readingSortKey(first.reading.timestampMs, first.reading.meterId)}`, first]));
  for (const follower of followers) {
    const first = byKey.get(follower.key)!;
    const outcome = outcomes[first.index];
    const conflict = outcome.status === 'rejected' && outcome.error instanceof ReadingConflict ? outcome.error : undefined;
    outcomes[follower.index] =
      conflict
        ? // The first met another value stored: the repeat is judged against what is stored.
          follower.reading.valor === conflict.storedValue
          ? { status: 'duplicate' }
          : { status: 'rejected', error: new ReadingConflict(conflict.storedValue, follower.reading.valor) }
        : outcome.status === 'rejected'
        ? outcome
        : follower.reading.valor === first.reading.valor
          ? { status: 'duplicate' }
          : { status: 'rejected', error: new ReadingConflict(first.reading.valor, follower.reading.valor) };
  }
}

/** Readings whose slot a failed condition found stored: duplicates (same kWh) or conflicts. */
function settleFromStoredBlocks(storedBlocks: Item[], readings: Pending[], outcomes: StoreOutcome[]): Set<number> {
  const settled = new Set<number>();
  for (const block of storedBlocks) {
    const { meterId } = parseBlockKey(String(block.sk));
    for (const { index, reading } of readings) {
      if (reading.customerId !== String(block.id) || reading.meterId !== meterId) continue;
      const stored = block[slotName(reading.timestampMs, false)] ?? block[slotName(reading.timestampMs, true)];
      if (stored === undefined) continue;
      const storedValue = num(stored);
      outcomes[index] = storedValue === reading.valor ? { status: 'duplicate' } : { status: 'rejected', error: new ReadingConflict(storedValue, reading.valor) };
      settled.add(index);
    }
  }
  return settled;
}

/** Merges readings per block; a meter-month's blocks with late readings go together with its month item. */
/** The readings in rounds, each with at most MAX_SLOTS_PER_WRITE of any one block (rounds are written one after another). */
function slotRounds(pending: Pending[], timeZone: string): Pending[][] {
  const seen = new Map<string, number>();
  const rounds: Pending[][] = [];
  for (const entry of pending) {
    const { reading } = entry;
    const key = `${reading.customerId}#${blockKey(windowOfBuckets(bucketsOf(reading.timestampMs, timeZone)), reading.meterId)}`;
    const count = seen.get(key) ?? 0;
    seen.set(key, count + 1);
    (rounds[Math.floor(count / MAX_SLOTS_PER_WRITE)] ??= []).push(entry);
  }
  return rounds;
}

function groupWrites(pending: Pending[], timeZone: string, excessOver: number): WriteGroup[] {
  const blocks = new Map<string, BlockWrite & { month: string; excessOver: number }>();
  for (const entry of pending) {
    const { reading } = entry;
    const buckets = bucketsOf(reading.timestampMs, timeZone);
    const sk = blockKey(windowOfBuckets(buckets), reading.meterId);
    const key = `${reading.customerId}#${sk}`;
    const block = blocks.get(key) ?? { kind: 'block' as const, key: { id: reading.customerId, sk }, readings: [], month: buckets.month, excessOver };
    block.readings.push(entry);
    blocks.set(key, block);
  }
  const groups: WriteGroup[] = [];
  const lateGroups = new Map<string, WriteGroup & { month: MonthWrite }>();
  for (const block of blocks.values()) {
    const late = block.readings.filter((entry) => entry.late);
    if (late.length === 0) {
      groups.push({ writes: [block], readings: block.readings });
      continue;
    }
    const { customerId, meterId } = block.readings[0].reading;
    const key = `${customerId}#${block.month}#${meterId}`;
    let group = lateGroups.get(key);
    if (!group) {
      const month: MonthWrite = { kind: 'month', key: { id: customerId, sk: monthItemKey(block.month, meterId) }, kwh: new Decimal(0), count: 0, days: new Map(), excess: [] };
      group = { writes: [month], readings: [], month };
      lateGroups.set(key, group);
      groups.push(group);
    }
    group.writes.unshift(block);
    group.readings.push(...block.readings);
    for (const { reading } of late) {
      const day = bucketsOf(reading.timestampMs, timeZone).day;
      group.month.kwh = group.month.kwh.plus(reading.valor);
      group.month.count += 1;
      group.month.days.set(day, (group.month.days.get(day) ?? new Decimal(0)).plus(reading.valor));
      if (reading.valor > excessOver) group.month.excess.push(excessEntry(reading.timestampMs, reading.valor));
    }
  }
  return groups;
}

/** Groups packed greedily into transactions of at most 100 items (positions into `groups`). */
function packTransactions(groups: WriteGroup[]): number[][] {
  const batches: number[][] = [];
  let current: number[] = [];
  let size = 0;
  for (const [position, group] of groups.entries()) {
    if (current.length > 0 && size + group.writes.length > MAX_TRANSACTION_ITEMS) {
      batches.push(current);
      current = [];
      size = 0;
    }
    current.push(position);
    size += group.writes.length;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
