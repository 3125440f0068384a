// The `luz` command line: subcommands and global options, and exit codes 0 (done), 1 (failed), 2 (usage).
import { Command, CommanderError, Option } from 'commander';
import { assertTimeZone } from '../core/periods';
import { cliWords, type CliWords } from '../i18n/cli';
import { languageFromEnv, type Lang } from '../i18n/index';
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
import { argumentParsers, DEFAULT_TIME_ZONE, DEFAULT_URL } from './parse';
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
  lang?: string;
}

/**
 * The language, known before the command line is parsed (the help itself is in it): `--lang en` or
 * `--lang=pt-BR` anywhere before `--`, else LC_ALL / LC_MESSAGES / LANG, else pt-BR.
 */
export function languageOf(argv: string[], env: NodeJS.ProcessEnv): { lang: Lang; bad?: string } {
  const end = argv.indexOf('--');
  const args = end < 0 ? argv : argv.slice(0, end);
  let asked: string | undefined;
  args.forEach((arg, index) => {
    if (arg === '--lang') asked = args[index + 1] ?? '';
    else if (arg.startsWith('--lang=')) asked = arg.slice('--lang='.length);
  });
  if (asked === undefined) return { lang: languageFromEnv(env) };
  const tag = asked.toLowerCase().replace('_', '-');
  if (tag === 'en' || tag.startsWith('en-')) return { lang: 'en' };
  if (tag === 'pt' || tag.startsWith('pt-')) return { lang: 'pt-BR' };
  return { lang: languageFromEnv(env), bad: asked };
}

/** Commander's own English (errors, help headings) in the user's words; a line it does not know stays as it is. */
function commanderText(text: string, words: CliWords): string {
  if (words.lang === 'en') return text;
  const say = words.say;
  return text
    .replace(/^error: unknown command '([^']*)'/m, (_, name: string) => `${say('error')} ${say('usage.unknownCommand', { name })}`)
    .replace(/^error: unknown option '([^']*)'/m, (_, name: string) => `${say('error')} ${say('usage.unknownOption', { name })}`)
    .replace(/^error: missing required argument '([^']*)'/m, (_, name: string) => `${say('error')} ${say('usage.missingArgument', { name })}`)
    .replace(/^error: option '([^']*)' argument missing/m, (_, name: string) => `${say('error')} ${say('usage.missingOptionValue', { name })}`)
    .replace(/^error: option '([^']*)' argument '([^']*)' is invalid\. ?(.*)$/m, (_, name: string, value: string, reason: string) =>
      `${say('error')} ${say('usage.invalidOption', { name, value, reason })}`)
    .replace(/^error: command-argument value '([^']*)' is invalid for argument '([^']*)'\. ?(.*)$/m, (_, value: string, name: string, reason: string) =>
      `${say('error')} ${say('usage.invalidArgument', { name, value, reason })}`)
    .replace(/\(Did you mean (.*)\?\)/, '(Você quis dizer $1?)')
    .replace(/\(default:(\s)/g, `(${say('help.default')}:$1`)
    // One letter shorter: the help's column of descriptions keeps its place.
    .replace(/\[options\](.*?)( {2,})/g, '[opções]$1$2 ')
    .replace(/\[options\]/g, '[opções]')
    .replace(/\[command\]/g, '[comando]');
}

export async function main(argv: string[], version = '0.0.0'): Promise<number> {
  const timeZone = process.env.LUZ_TZ || DEFAULT_TIME_ZONE;
  const language = languageOf(argv, process.env);
  const words = cliWords(language.lang, timeZone);
  const { say } = words;
  const parse = argumentParsers(say);
  const usageError = (command: Command, message: string): never => command.error(`${say('error')} ${message}`);
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
      const problem = given.token && tokenShapeProblem(given.token.value, say);
      if (given.token && problem) usageError(command, `${given.token.source}: ${problem}`);
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
      words,
      columns: process.stdout.columns || 80,
      print: (text) => void process.stdout.write(`${text}\n`),
      printError: (text) => void process.stderr.write(`${text}\n`),
    };
  };

  const titles: Record<string, string> = {
    'Usage:': say('help.usage'),
    'Arguments:': say('help.arguments'),
    'Options:': say('help.options'),
    'Global Options:': say('help.globalOptions'),
    'Commands:': say('help.commands'),
  };
  const program = new Command('luz')
    .description(say('program'))
    .version(version, '-V, --version', say('opt.version'))
    .helpOption('-h, --help', say('opt.help'))
    .helpCommand('help [command]', say('cmd.help'))
    .addOption(new Option('--url <url>', say('opt.url')).env('LUZ_URL').default(DEFAULT_URL).argParser(parse.url))
    .option('--json', say('opt.json'))
    .addOption(new Option('--key <staff-key>', say('opt.key')).env('LUZ_STAFF_KEY'))
    .addOption(new Option('--token <token>', say('opt.token')).env('LUZ_TOKEN'))
    // Read before parsing (languageOf); declared so that it is accepted and shown in the help.
    .addOption(new Option('--lang <pt-BR|en>', say('opt.lang')))
    .configureHelp({ showGlobalOptions: true, styleTitle: (title) => titles[title] ?? title })
    .configureOutput({
      writeOut: (text) => void process.stdout.write(commanderText(text, words)),
      writeErr: (text) => void process.stderr.write(commanderText(text, words)),
    })
    .showHelpAfterError(say('help.after'))
    .exitOverride()
    .allowExcessArguments()
    .addHelpText('after', say('examples', { zone: DEFAULT_TIME_ZONE }))
    .action(async (_options, command: Command) => {
      if (command.args.length > 0) usageError(command, say('usage.unknownCommand', { name: command.args[0] }));
      if (process.stdin.isTTY && process.stdout.isTTY) {
        exitCode = await runInteractive(session(command), givenSecrets(command));
        return;
      }
      // Menus need a person at a terminal; a script gets the usage instead.
      process.stderr.write(`${say('error')} ${say('usage.noCommand')}\n`);
      command.outputHelp({ error: true });
      exitCode = EXIT_USAGE;
    });

  const cpf = (description = say('arg.cpf')) => ['<cpf>', description, parse.cpf] as const;

  const cliente = program.command('cliente').description(say('cmd.cliente'));
  cliente
    .command('add')
    .description(say('cmd.clienteAdd'))
    .argument(...cpf())
    .argument('<nome...>', say('arg.nome'))
    .option('--ligacao <tipo>', say('opt.ligacao'), parse.connection)
    .action(async (id: string, name: string[], options: { ligacao?: string }, command: Command) => {
      await addCustomer(session(command), id, name.join(' '), options.ligacao);
    });

  cliente
    .command('token')
    .description(say('cmd.clienteToken'))
    .argument(...cpf())
    .action(async (id: string, _options, command: Command) => {
      await issueCustomerToken(session(command), id);
    });

  const medidor = program.command('medidor').description(say('cmd.medidor'));
  medidor
    .command('add')
    .description(say('cmd.medidorAdd'))
    .argument(...cpf(say('arg.cpfOf')))
    .action(async (id: string, _options, command: Command) => {
      await addMeter(session(command), id);
    });

  const leitura = program.command('leitura').description(say('cmd.leitura'));
  leitura
    .command('add')
    .description(say('cmd.leituraAdd'))
    .argument(...cpf(say('arg.cpfOf')))
    .argument('<medidor>', say('arg.medidor'), parse.meter)
    .argument('<kwh>', say('arg.kwh'), parse.kwh)
    .option('--quando <data>', say('opt.quando'), language.lang === 'en' ? 'now' : 'agora')
    .action(async (id: string, meterId: number, kwh: number, options: { quando: string }, command: Command) => {
      let timestamp: number;
      try {
        timestamp = parse.when(options.quando, Date.now(), timeZone);
      } catch (error) {
        usageError(command, say('usage.invalidOption', { name: '--quando <data>', value: options.quando, reason: (error as Error).message }));
      }
      await addReading(session(command), id, meterId, kwh, timestamp!);
    });

  program
    .command('fatura')
    .description(say('cmd.fatura'))
    .argument(...cpf())
    .option(language.lang === 'en' ? '--mes <YYYY-MM>' : '--mes <AAAA-MM>', say('opt.mes'), parse.month)
    .action(async (id: string, options: { mes?: string }, command: Command) => {
      await showInvoice(session(command), id, options.mes);
    });

  program
    .command('historico')
    .description(say('cmd.historico'))
    .argument(...cpf())
    .option('--kind <D|M|Y>', say('opt.kind'), parse.kind, 'D')
    .option('--periodo <N>', say('opt.periodo'), parse.periodsBack, 0)
    .option('--limit <N>', say('opt.limit'), parse.limit)
    .option('--cursor <cursor>', say('opt.cursor'))
    .action(async (id: string, options: { kind: 'D' | 'M' | 'Y'; periodo: number; limit?: number; cursor?: string }, command: Command) => {
      await showHistory(session(command), id, options);
    });

  program
    .command('alarme')
    .description(say('cmd.alarme'))
    .argument(...cpf())
    .option('--watch', say('opt.watch'))
    .option('--every <interval>', say('opt.every'), parse.interval)
    .action(async (id: string, options: { watch?: boolean; every?: number }, command: Command) => {
      if (options.every !== undefined && !options.watch) usageError(command, say('usage.everyNeedsWatch'));
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
    .description(say('cmd.entrar'))
    .argument('[token]', say('arg.token'))
    .action(async (argument: string | undefined, _options, command: Command) => {
      const token = argument ?? (await readToken(command, words));
      const problem = tokenShapeProblem(token, say);
      if (problem) usageError(command, `luz entrar: ${problem}`);
      const source = argument === undefined ? say('source.input') : say('source.commandLine');
      const current = session(command, { kind: 'customer', secret: token.trim(), source });
      await signIn(current, { kind: 'customer', secret: token.trim(), source });
    });

  program
    .command('sair')
    .description(say('cmd.sair'))
    .action((_options, command: Command) => {
      signOut(session(command, null));
    });

  if (language.bad !== undefined) {
    process.stderr.write(`${say('error')} ${say('usage.lang', { value: language.bad })}\n`);
    return EXIT_USAGE;
  }
  try {
    assertTimeZone(timeZone);
  } catch {
    process.stderr.write(`${say('error')} ${say('usage.timeZone', { zone: timeZone })}\n`);
    return EXIT_USAGE;
  }

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    // Commander has already printed its message (or the help/version it was asked for).
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    const json = Boolean(program.opts<GlobalOptions>().json);
    process.stderr.write(`${describeFailure(error, json, createStyle(wantsColour(process.env, process.stderr)), words, failureContext)}\n`);
    return EXIT_FAILED;
  }
}

/** The token for `luz entrar` without an argument: a prompt that hides it on a terminal, else the first line of stdin. */
async function readToken(command: Command, words: CliWords): Promise<string> {
  const usage = (message: string) => command.error(`${words.say('error')} ${message}`);
  // Read from a terminal without the prompt, the token would be echoed as typed.
  if (process.stdin.isTTY && !process.stdout.isTTY) usage(words.say('usage.entrarPipe'));
  if (process.stdin.isTTY) {
    try {
      return await askToken(words);
    } catch (error) {
      if ((error as Error)?.name === 'ExitPromptError') usage(words.say('usage.entrarNone'));
      throw error;
    }
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const token = Buffer.concat(chunks).toString('utf8').split('\n').find((line) => line.trim() !== '');
  if (token === undefined) usage(words.say('usage.entrarNoneHow'));
  return token!;
}
