// The `luz` command line: subcommands and global options, and exit codes 0 (done), 1 (failed), 2 (usage).
import { Command, CommanderError, Option } from 'commander';
import { assertTimeZone } from '../core/periods';
import { LuzClient } from './api';
import { resolveCredential, tokenShapeProblem, type Credential, type GivenSecrets } from './credentials';
import {
  addCustomer,
  addMeter,
  addReading,
  describeFailure,
  issueCustomerToken,
  showAlarm,
  showHistory,
  showInvoice,
  signIn,
  signOut,
  type Session,
} from './commands';
import { askToken, runInteractive } from './interactive';
import {
  DEFAULT_TIME_ZONE,
  DEFAULT_URL,
  connectionArgument,
  cpfArgument,
  intervalArgument,
  kindArgument,
  kwhArgument,
  limitArgument,
  meterArgument,
  monthArgument,
  periodsBackArgument,
  urlArgument,
  whenArgument,
} from './parse';
import { createStyle, wantsColour } from './style';
import { Spinner, watchAlarm } from './watch';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

interface GlobalOptions {
  url: string;
  json?: boolean;
  key?: string;
  token?: string;
}

const EXAMPLES = `
Examples:
  luz cliente add 123.456.789-09 Ana Souza
  luz medidor add 12345678909
  luz leitura add 12345678909 1 3,25 --quando 2026-11-25T14:30
  luz cliente token 12345678909    (staff: a new customer token; the old one stops working)
  luz fatura 12345678909 --mes 2026-11
  luz historico 12345678909 --kind M
  luz alarme 12345678909 --watch --every 30s
  luz entrar                       (customer: type the token unseen; Luz checks it, then it is remembered)
  luz sair                         (forget the remembered token)
  luz                              (on a terminal: interactive menus)

Credential: --token or LUZ_TOKEN (customer), --key or LUZ_STAFF_KEY (staff), the token luz entrar
remembered (LUZ_CONFIG_DIR, default ~/.config/luz/token), STAFF_KEY, then LUZ_DATA_DIR/staff.key
(default .data/staff.key, written by npm start). The first one found is sent.

Dates without a zone are read in LUZ_TZ (default ${DEFAULT_TIME_ZONE}), the zone of Luz's calendar.
Colour is off when NO_COLOR is set or the output is not a terminal.`;

export async function main(argv: string[], version = '0.0.0'): Promise<number> {
  const timeZone = process.env.LUZ_TZ || DEFAULT_TIME_ZONE;
  let exitCode = EXIT_OK;

  // The credential of the last session, so a refusal caught below can say what was sent.
  let failureContext: Pick<Session, 'credential' | 'env'> | undefined;

  /** --token / --key as given, and whether commander took each from the command line or the environment. */
  const givenSecrets = (command: Command): GivenSecrets => {
    const options = command.optsWithGlobals<GlobalOptions>();
    const from = (name: 'token' | 'key', flag: string, variable: string) =>
      program.getOptionValueSource(name) === 'env' ? variable : flag;
    return {
      ...(options.token ? { token: { value: options.token, source: from('token', '--token', 'LUZ_TOKEN') } } : {}),
      ...(options.key ? { key: { value: options.key, source: from('key', '--key', 'LUZ_STAFF_KEY') } } : {}),
    };
  };

  /** A session that sends `credential`: by default the one resolveCredential finds. */
  const session = (command: Command, credential?: Credential | null): Session => {
    const options = command.optsWithGlobals<GlobalOptions>();
    let sent = credential ?? undefined;
    if (credential === undefined) {
      const given = givenSecrets(command);
      // A mistyped token is a usage error, found before any request and never echoed back.
      const problem = given.token && tokenShapeProblem(given.token.value);
      if (given.token && problem) command.error(`error: ${given.token.source}: ${problem}`);
      sent = resolveCredential(given, process.env);
    }
    failureContext = { credential: sent, env: process.env };
    return {
      client: new LuzClient({ baseUrl: options.url, credential: sent?.secret }),
      credential: sent,
      env: process.env,
      json: Boolean(options.json),
      style: createStyle(wantsColour(process.env, process.stdout)),
      errorStyle: createStyle(wantsColour(process.env, process.stderr)),
      timeZone,
      columns: process.stdout.columns || 80,
      print: (text) => void process.stdout.write(`${text}\n`),
      printError: (text) => void process.stderr.write(`${text}\n`),
    };
  };

  const program = new Command('luz')
    .description('Luz terminal client: customers, meters, readings, invoices, history and alarms over the Luz HTTP API.')
    .version(version)
    .addOption(new Option('--url <url>', 'base URL of the Luz API').env('LUZ_URL').default(DEFAULT_URL).argParser(urlArgument))
    .option('--json', 'print the API response as JSON (errors as JSON on stderr)')
    .addOption(new Option('--key <staff-key>', 'staff key (default: STAFF_KEY, then .data/staff.key written by npm start)').env('LUZ_STAFF_KEY'))
    .addOption(new Option('--token <token>', 'customer token, as staff gave it (default: the one luz entrar remembered)').env('LUZ_TOKEN'))
    .configureHelp({ showGlobalOptions: true })
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .allowExcessArguments()
    .addHelpText('after', EXAMPLES)
    .action(async (_options, command: Command) => {
      if (command.args.length > 0) command.error(`error: unknown command '${command.args[0]}'`);
      if (process.stdin.isTTY && process.stdout.isTTY) {
        exitCode = await runInteractive(session(command), givenSecrets(command));
        return;
      }
      // Menus need a person at a terminal; a script gets the usage instead.
      process.stderr.write('error: no command given (the interactive menus need a terminal)\n');
      command.outputHelp({ error: true });
      exitCode = EXIT_USAGE;
    });

  const cpf = (description = 'CPF, 11 digits or 000.000.000-00') => ['<cpf>', description, cpfArgument] as const;

  const cliente = program.command('cliente').description('customers (staff)');
  cliente
    .command('add')
    .description('register a customer')
    .argument(...cpf())
    .argument('<nome...>', 'full name (quotes optional)')
    .option('--ligacao <tipo>', 'connection: monofasico, bifasico or trifasico (default: the API\'s, monofasico)', connectionArgument)
    .action(async (id: string, name: string[], options: { ligacao?: string }, command: Command) => {
      await addCustomer(session(command), id, name.join(' '), options.ligacao);
    });

  cliente
    .command('token')
    .description("issue a new token for a customer and revoke the previous one (a lost or leaked token)")
    .argument(...cpf())
    .action(async (id: string, _options, command: Command) => {
      await issueCustomerToken(session(command), id);
    });

  const medidor = program.command('medidor').description('meters (staff)');
  medidor
    .command('add')
    .description("register a meter for a customer; prints the new meter's id (1, 2, 3…)")
    .argument(...cpf("the customer's CPF"))
    .action(async (id: string, _options, command: Command) => {
      await addMeter(session(command), id);
    });

  const leitura = program.command('leitura').description('meter readings (staff)');
  leitura
    .command('add')
    .description("store a reading: the kWh a meter consumed since its previous reading")
    .argument(...cpf("the customer's CPF"))
    .argument('<medidor>', 'meter id', meterArgument)
    .argument('<kwh>', 'kWh since the previous reading (1.5 or 1,5)', kwhArgument)
    .option(
      '--quando <data>',
      'when it was read: ISO-8601 (2026-11-25T14:30, with or without zone), DD/MM/YYYY HH:MM, Unix seconds or now',
      'now',
    )
    .action(async (id: string, meterId: number, kwh: number, options: { quando: string }, command: Command) => {
      let timestamp: number;
      try {
        timestamp = whenArgument(options.quando, Date.now(), timeZone);
      } catch (error) {
        command.error(`error: option '--quando <data>' argument '${options.quando}' is invalid. ${(error as Error).message}`);
      }
      await addReading(session(command), id, meterId, kwh, timestamp!);
    });

  program
    .command('fatura')
    .description("a customer's invoice: each line and the total in R$")
    .argument(...cpf())
    .option('--mes <YYYY-MM>', 'month of the invoice (default: the current month)', monthArgument)
    .action(async (id: string, options: { mes?: string }, command: Command) => {
      await showInvoice(session(command), id, options.mes);
    });

  program
    .command('historico')
    .description("a customer's consumption in a day, month or year, as a bar chart and its total")
    .argument(...cpf())
    .option('--kind <D|M|Y>', 'D: a day by hour, M: a month by day, Y: a year by month', kindArgument, 'D')
    .option('--periodo <N>', 'how many periods back (0 = the current one)', periodsBackArgument, 0)
    .option('--limit <N>', 'readings per page in the JSON (1 to 1000)', limitArgument)
    .option('--cursor <cursor>', 'next page of readings, from a previous response')
    .action(async (id: string, options: { kind: 'D' | 'M' | 'Y'; periodo: number; limit?: number; cursor?: string }, command: Command) => {
      await showHistory(session(command), id, options);
    });

  program
    .command('alarme')
    .description("a customer's excess-consumption alarm and its reasons")
    .argument(...cpf())
    .option('--watch', 're-check on an interval and show each change (Ctrl-C to stop; with --json, one JSON line per change)')
    .option('--every <interval>', 'how often --watch checks: 30s, 2m, 1h', intervalArgument)
    .action(async (id: string, options: { watch?: boolean; every?: number }, command: Command) => {
      if (options.every !== undefined && !options.watch) command.error("error: option '--every' only applies with '--watch'");
      const current = session(command);
      if (!options.watch) return showAlarm(current, id);
      const stop = new AbortController();
      const onInterrupt = () => stop.abort();
      process.once('SIGINT', onInterrupt);
      process.once('SIGTERM', onInterrupt);
      try {
        await watchAlarm(current, id, options.every ?? 30_000, stop.signal, new Spinner(process.stderr));
      } finally {
        process.off('SIGINT', onInterrupt);
        process.off('SIGTERM', onInterrupt);
      }
    });

  program
    .command('entrar')
    .description('remember a customer token on this computer, after Luz has accepted it (file mode 600)')
    .argument('[token]', 'the token staff gave you; leave it out to type it unseen (or pipe it in), away from the shell history')
    .action(async (argument: string | undefined, _options, command: Command) => {
      const token = argument ?? (await readToken(command));
      const problem = tokenShapeProblem(token);
      if (problem) command.error(`error: luz entrar: ${problem}`);
      const source = argument === undefined ? 'the input' : 'the command line';
      const current = session(command, { kind: 'customer', secret: token.trim(), source });
      await signIn(current, { kind: 'customer', secret: token.trim(), source });
    });

  program
    .command('sair')
    .description('forget the remembered customer token (the token keeps working until staff issue a new one)')
    .action((_options, command: Command) => {
      signOut(session(command, null));
    });

  try {
    assertTimeZone(timeZone);
  } catch {
    process.stderr.write(`error: LUZ_TZ: unknown time zone '${timeZone}'\n`);
    return EXIT_USAGE;
  }

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    // Commander has already printed its message (or the help/version it was asked for).
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    const json = Boolean(program.opts<GlobalOptions>().json);
    process.stderr.write(`${describeFailure(error, json, createStyle(wantsColour(process.env, process.stderr)), failureContext)}\n`);
    return EXIT_FAILED;
  }
}

/** The token for `luz entrar` without an argument: a prompt that hides it on a terminal, else the first line of stdin. */
async function readToken(command: Command): Promise<string> {
  // Read from a terminal without the prompt, the token would be echoed as typed.
  if (process.stdin.isTTY && !process.stdout.isTTY) command.error('error: luz entrar: pass the token as an argument or pipe it in (the hidden prompt needs a terminal for its output too)');
  if (process.stdin.isTTY) {
    try {
      return await askToken();
    } catch (error) {
      if ((error as Error)?.name === 'ExitPromptError') command.error('error: luz entrar: no token given');
      throw error;
    }
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const token = Buffer.concat(chunks).toString('utf8').split('\n').find((line) => line.trim() !== '');
  if (token === undefined) command.error('error: luz entrar: no token given (pass it as an argument, type it on a terminal or pipe it in)');
  return token!;
}
