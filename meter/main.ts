// `npm run meter -- …`: many simulated meters in one process, sending readings to the UDP gateway.
import { Command as Program, InvalidArgumentError, Option } from 'commander';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { loadConfig } from '../core/config';
import { formatCpf } from '../core/cpf';
import { Decimal } from '../core/decimal';
import { isoInZone } from '../core/periods';
import { CommandError, HELP, parseCommand } from './control';
import { apiHeaders, ensureFleet, RegistrationFailed, removeFleet } from './fleet';
import { Outbox, OutboxLocked } from './outbox';
import { MeterSimulator, startOfMonth, type SimulatorStatus } from './simulator';
import { assertSigned, UnsignedFleet } from './transport';

const whole = (min: number) => (text: string) => {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) throw new InvalidArgumentError(`must be a whole number, ${min} or more`);
  return value;
};
const positive = (text: string) => {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new InvalidArgumentError('must be a number above 0');
  return value;
};

interface Options {
  meters: number;
  metersPerCustomer: number;
  gateway?: string;
  api?: string;
  state?: string;
  fresh: boolean;
  register: boolean;
  seed: number;
  interval: number;
  speed: number;
  start?: string;
  load: 'original' | 'daily';
  rate: number;
  v1: boolean;
  sockets: number;
  window: number;
  maxPending: number;
  ackTimeout: number;
  readings?: number;
  duration?: number;
  drainTimeout: number;
  verify: number;
}

function parseArguments(argv: string[]): Options {
  const program = new Program('npm run meter --')
    .description('Simulated smart meters sending readings to the Luz UDP gateway (v2 signed with each meter secret, with an on-disk outbox; or --v1).')
    .option('--meters <n>', 'simulated meters', whole(1), 10)
    .option('--meters-per-customer <n>', 'meters per customer when registering new ones', whole(1), 1)
    .option('--gateway <host:port>', 'UDP gateway (default 127.0.0.1:UDP_PORT)')
    .option('--api <url>', 'HTTP API used to register customers and meters and to check invoices (default http://127.0.0.1:HTTP_PORT)')
    .option('--state <dir>', 'state folder: fleet, outbox, report (default LUZ_DATA_DIR/meter)')
    .option('--fresh', 'forget the fleet and outbox in the state folder and start over (registers new customers)', false)
    .option('--no-register', 'never register meters; fail if the state folder has too few')
    .option('--seed <n>', 'random seed: the same seed gives the same readings', whole(0), 1)
    .option('--interval <seconds>', 'simulated seconds between readings of a meter', whole(1), 300)
    .option('--speed <x>', 'simulated seconds per real second (3600: an hour per second)', positive, 1)
    .option('--start <iso>', 'simulated start (default: now, or the start of this month when --speed > 1)')
    .addOption(new Option('--load <model>', 'load model').choices(['original', 'daily']).default('original'))
    .option('--rate <x>', 'consumption multiplier', positive, 1)
    .option('--v1', 'speak the original plain-text, unsigned datagrams (cpf,id_medidor,valor,timestamp; the gateway needs LUZ_ACCEPT_V1=1)', false)
    .option('--sockets <n>', 'UDP sockets the fleet shares (v2)', whole(1), 16)
    .option('--window <n>', 'readings awaiting an answer at most', whole(1), 256)
    .option('--max-pending <n>', 'readings in the outbox at most; the simulated clock waits beyond it', whole(1), 5000)
    .option('--ack-timeout <ms>', 'first wait for an answer before resending; doubles each time', whole(1), 2000)
    .option('--readings <n>', 'readings per meter, then the meter stops', whole(1))
    .option('--duration <seconds>', 'run this long, then drain the outbox, report and exit', positive)
    .option('--drain-timeout <seconds>', 'how long to wait for the outbox to empty at the end', positive, 120)
    .option('--verify <n>', 'at the end, compare the invoice (GET /getFatura) of n customers with what was sent', whole(0), 3)
    .addHelpText('after', `\n${HELP}`);
  program.parse(argv, { from: 'user' });
  return program.opts<Options>();
}

const number = (value: number) => value.toLocaleString('en-US');

function statusLine(status: SimulatorStatus, timeZone: string): string {
  const flags = [
    status.paused ? 'PAUSED' : '',
    status.holding ? 'clock waits: outbox full' : '',
    status.generating ? '' : 'draining',
  ].filter(Boolean);
  return (
    `sim ${isoInZone(status.clockMs, timeZone).slice(0, 16).replace('T', ' ')} ×${number(status.effectiveSpeed)}` +
    ` | sent ${number(status.sent)} acked ${number(status.acked)} pending ${number(status.pending)}` +
    ` (in flight ${number(status.inFlight)}) retries ${number(status.retries)} rejected ${number(status.rejected)}` +
    ` | ${number(status.perSecond)}/s` +
    (flags.length ? ` | ${flags.join(', ')}` : '')
  );
}

async function main(): Promise<void> {
  const options = parseArguments(process.argv.slice(2));
  const config = loadConfig();
  const timeZone = config.LUZ_TZ;
  const stateDir = options.state ?? join(config.LUZ_DATA_DIR, 'meter');
  const apiUrl = (options.api ?? `http://127.0.0.1:${config.HTTP_PORT}`).replace(/\/$/, '');
  const [host, port] = (options.gateway ?? `127.0.0.1:${config.UDP_PORT}`).split(/:(?=\d+$)/);
  if (!port) throw new InvalidArgumentError('--gateway must be host:port');
  const say = (line: string) => process.stdout.write(`${line}\n`);

  if (options.fresh) {
    Outbox.remove(stateDir);
    removeFleet(stateDir);
  }
  const fleet = await ensureFleet({
    stateDir,
    count: options.meters,
    metersPerCustomer: options.metersPerCustomer,
    apiUrl,
    register: options.register,
    onProgress: (done, wanted) => {
      if (done % 100 === 0 || done === wanted) say(`registered ${done}/${wanted} meters through ${apiUrl}`);
    },
  });

  if (!options.v1) assertSigned(fleet, join(stateDir, 'fleet.json'));

  const now = Date.now();
  const startMs = options.start !== undefined ? Date.parse(options.start) : options.speed > 1 ? startOfMonth(now, timeZone) : now;
  if (Number.isNaN(startMs)) throw new InvalidArgumentError('--start must be an ISO-8601 date');
  const rejections: string[] = [];
  const simulator = await MeterSimulator.open({
    fleet,
    gateway: { host, port: Number(port) },
    stateDir,
    seed: options.seed,
    intervalSeconds: options.interval,
    speed: options.speed,
    startMs,
    model: options.load,
    rate: options.rate,
    protocol: options.v1 ? 'v1' : 'v2',
    sockets: options.sockets,
    window: options.window,
    replayWindow: config.GATEWAY_REPLAY_WINDOW,
    maxPending: options.maxPending,
    ackTimeoutMs: options.ackTimeout,
    maxBackoffMs: 30_000,
    readingsPerMeter: options.readings,
    timeZone,
    onRejected: (entry, meter, code, message) => {
      if (rejections.length < 20) rejections.push(`meter ${entry.meter + 1} (${formatCpf(meter.id)}/${meter.m}) seq ${entry.seq}: ${code} ${message}`);
    },
  });
  const pendingAtStart = simulator.status().pending;
  say(
    `${fleet.length} meters (${options.v1 ? 'v1' : 'v2'}) → ${host}:${port}, state in ${stateDir}` +
      (pendingAtStart ? `, ${number(pendingAtStart)} readings left in the outbox from before` : '') +
      '. Type help for commands.',
  );
  simulator.start();

  const tty = process.stdout.isTTY;
  const printStatus = () => {
    const line = statusLine(simulator.status(), timeZone);
    if (tty) process.stdout.write(`\r\x1b[2K${line}`);
    else say(line);
  };
  const statusTimer = setInterval(printStatus, tty ? 500 : 5000);
  // With --readings, the run ends by itself once every meter has sent them all and each was answered.
  const doneTimer = setInterval(() => simulator.finished() && void finish(), 200);
  const note = (line: string) => {
    if (tty) process.stdout.write('\r\x1b[2K');
    say(line);
  };

  let finishing: Promise<void> | undefined;
  let interrupts = 0;
  const finish = () =>
    (finishing ??= (async () => {
      clearInterval(doneTimer);
      simulator.stopGenerating();
      note(`stopped generating; draining the outbox (up to ${options.drainTimeout} s; Ctrl-C again leaves it for the next run)…`);
      const drained = await simulator.drain(options.drainTimeout * 1000);
      clearInterval(statusTimer);
      printStatus();
      if (tty) process.stdout.write('\n');
      await report(simulator, { stateDir, apiUrl, verify: options.verify, timeZone, drained, seed: options.seed, say, fleet, rejections });
      await simulator.close();
      process.exit(drained ? 0 : 1);
    })());

  const interrupt = () => {
    interrupts += 1;
    if (interrupts === 1) return void finish();
    clearInterval(statusTimer);
    note('interrupted: unanswered readings stay in the outbox for the next run');
    void simulator.close().then(() => process.exit(130));
  };
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);
  if (options.duration !== undefined) setTimeout(() => void finish(), options.duration * 1000);

  // Live control: one command per line. A closed stdin (no terminal) just means no commands.
  const lines = createInterface({ input: process.stdin, terminal: false });
  lines.on('line', (line) => {
    try {
      const command = parseCommand(line);
      if (!command) return;
      switch (command.kind) {
        case 'pause':
          simulator.pause();
          return note('paused: the simulated clock stands still');
        case 'resume':
          simulator.resume();
          return note('resumed');
        case 'interval':
          simulator.setInterval(command.seconds);
          return note(`interval: ${command.seconds} s between readings`);
        case 'rate':
          simulator.setRate(command.factor);
          return note(`rate: ×${command.factor}`);
        case 'send': {
          const when = command.timestampMs ?? simulator.status().clockMs;
          const seq = simulator.manual(command.meter, command.valor, when);
          return note(`queued seq ${seq}: meter ${command.meter + 1}, ${command.valor} kWh at ${isoInZone(when, timeZone)}`);
        }
        case 'status':
          return note(statusLine(simulator.status(), timeZone));
        case 'help':
          return note(HELP);
        case 'quit':
          return void finish();
      }
    } catch (error) {
      if (error instanceof CommandError || error instanceof RangeError) note(error.message);
      else throw error;
    }
  });
}

async function report(
  simulator: MeterSimulator,
  context: {
    stateDir: string;
    apiUrl: string;
    verify: number;
    timeZone: string;
    drained: boolean;
    seed: number;
    say: (line: string) => void;
    fleet: { id: string; m: number }[];
    rejections: string[];
  },
): Promise<void> {
  const { say, fleet } = context;
  const status = simulator.status();
  // Per customer and month, over every run of this state folder: what the gateway acknowledged.
  const customers = new Map<string, Map<string, { readings: number; kwh: Decimal }>>();
  let total = new Decimal(0);
  let readings = 0;
  for (const [meter, months] of simulator.totals()) {
    const customer = fleet[meter]?.id;
    if (customer === undefined) continue;
    const byMonth = customers.get(customer) ?? new Map();
    customers.set(customer, byMonth);
    for (const [month, totals] of months) {
      const current = byMonth.get(month) ?? { readings: 0, kwh: new Decimal(0) };
      byMonth.set(month, { readings: current.readings + totals.readings, kwh: current.kwh.plus(totals.kwh) });
      total = total.plus(totals.kwh);
      readings += totals.readings;
    }
  }
  const rejected = Object.fromEntries(simulator.rejectedByCode());
  const file = join(context.stateDir, 'report.json');
  writeFileSync(
    file,
    JSON.stringify(
      {
        at: new Date().toISOString(),
        seed: context.seed,
        meters: fleet.length,
        thisRun: { sent: status.sent, acked: status.acked, retries: status.retries, rejected: status.rejected },
        allRuns: { acked: readings, kwh: total.toString(), rejected, pending: status.pending },
        customers: Object.fromEntries(
          [...customers].map(([id, months]) => [
            id,
            Object.fromEntries([...months].map(([month, totals]) => [month, { leituras: totals.readings, kwh: totals.kwh.toString() }])),
          ]),
        ),
      },
      null,
      2,
    ),
  );
  say(
    `this run: sent ${number(status.sent)}, acknowledged ${number(status.acked)}, rejected ${number(status.rejected)}, ` +
      `retries ${number(status.retries)}; left in the outbox: ${number(status.pending)}${context.drained ? '' : ' (not drained)'}`,
  );
  say(`all runs of ${context.stateDir}: ${number(readings)} readings acknowledged, ${total.toString()} kWh; report in ${file}`);
  if (Object.keys(rejected).length) say(`rejected by the gateway: ${JSON.stringify(rejected)}`);
  for (const line of context.rejections) say(`  ${line}`);
  if (context.verify === 0) return;
  for (const [id, months] of [...customers].slice(0, context.verify)) {
    for (const [month, totals] of [...months].sort()) {
      try {
        const response = await fetch(`${context.apiUrl}/getFatura?id=${id}&mes=${month}`, {
        headers: apiHeaders(),
        signal: AbortSignal.timeout(15_000),
      });
        const body = (await response.json()) as { kwh?: number; valor?: number };
        const sent = totals.kwh.toNumber();
        const verdict = response.status === 200 && body.kwh === sent ? 'equal' : 'DIFFERENT';
        say(
          `check ${formatCpf(id)} ${month}: sent ${totals.kwh.toString()} kWh in ${number(totals.readings)} readings; ` +
            `getFatura ${response.status} kwh ${body.kwh} (R$ ${body.valor}) → ${verdict}`,
        );
      } catch (error) {
        say(`check ${formatCpf(id)} ${month}: getFatura failed: ${(error as Error).message}`);
      }
    }
  }
}

main().catch((error) => {
  if (error instanceof RegistrationFailed || error instanceof OutboxLocked || error instanceof InvalidArgumentError || error instanceof UnsignedFleet) {
    process.stderr.write(`meter: ${error.message}\n`);
  } else {
    process.stderr.write(`meter: ${(error as Error)?.stack ?? error}\n`);
  }
  process.exit(1);
});
