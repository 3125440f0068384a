// `luz` with no arguments on a terminal: arrow-key menus for staff and customers, input checked before any request.
import input from '@inquirer/input';
import select from '@inquirer/select';
import { formatCpf } from '../core/cpf';
import { monthKeyOf } from '../core/periods';
import { ApiError } from './api';
import {
  addCustomer,
  addMeter,
  addReading,
  describeFailure,
  showAlarm,
  showHistory,
  showInvoice,
  withCredential,
  type Session,
} from './commands';
import {
  customerCredential,
  maskSecret,
  rememberToken,
  rememberedTokenFile,
  staffCredential,
  staffKeyPath,
  tokenShapeProblem,
  type Credential,
  type GivenSecrets,
} from './credentials';
import type { CliWords } from '../i18n/cli';
import { argumentParsers } from './parse';

/** Turns a parser into a prompt validator: true, or the parser's message. */
const validWith =
  (parse: (value: string) => unknown) =>
  (value: string): true | string => {
    try {
      parse(value);
      return true;
    } catch (error) {
      return (error as Error).message;
    }
  };

async function ask<T>(message: string, parse: (value: string) => T, defaultValue?: string): Promise<T> {
  const answer = await input({ message, default: defaultValue, validate: validWith(parse) });
  return parse(answer);
}

const askCpf = (session: Session) => ask(session.words.say('menu.cpf'), argumentParsers(session.words.say).cpf);

/** Runs one action; an API error is shown as its one line and the menu goes on. */
async function attempt(session: Session, action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (error) {
    session.printError(describeFailure(error, session.json, session.errorStyle, session.words, session));
  }
  session.print('');
}

/** The token prompt: only `luz_` and dots are drawn (a dot per character while typing), and the shape is checked before any request. */
export function askToken(words: CliWords): Promise<string> {
  return input({
    message: words.say('menu.token'),
    transformer: (value, { isFinal }) => value.slice(0, 4) + '•'.repeat(isFinal ? 8 : Math.max(0, value.length - 4)),
    validate: (value) => tokenShapeProblem(value, words.say) ?? true,
  }).then((token) => token.trim());
}

/**
 * Asks the API whether it accepts the session's credential. False (with the one-line reason
 * printed) when it refuses it or cannot be reached; `refused` tells the two apart.
 */
async function accepted(session: Session): Promise<{ ok: boolean; refused: boolean }> {
  try {
    await session.client.whoAmI();
    return { ok: true, refused: false };
  } catch (error) {
    session.printError(describeFailure(error, session.json, session.errorStyle, session.words, session));
    return { ok: false, refused: error instanceof ApiError && error.status === 401 };
  }
}

/**
 * The customer's credential: the token given (--token, LUZ_TOKEN) or remembered, else one typed at
 * the prompt, which may then be remembered. Undefined: back to the first menu (Luz unreachable).
 */
async function customerSession(session: Session, given: GivenSecrets): Promise<Session | undefined> {
  const known = customerCredential(given, session.env);
  if (known) {
    const current = withCredential(session, known);
    session.print(session.style.dim(session.words.say('menu.usingToken', { token: maskSecret(known.secret), source: known.source })));
    const check = await accepted(current);
    if (check.ok) return current;
    if (!check.refused) return undefined;
  }
  for (;;) {
    const typed: Credential = { kind: 'customer', secret: await askToken(session.words), source: session.words.say('menu.thePrompt') };
    const current = withCredential(session, typed);
    const check = await accepted(current);
    if (!check.ok) {
      if (check.refused) continue;
      return undefined;
    }
    const file = rememberedTokenFile(session.env);
    const remember = await select({
      message: session.words.say('menu.remember'),
      choices: [
        { name: session.words.say('menu.yes'), value: true, description: session.words.say('menu.rememberWhere', { file }) },
        { name: session.words.say('menu.onlyNow'), value: false },
      ],
    });
    if (remember) {
      rememberToken(session.env, typed.secret);
      session.print(`${session.style.green('✓')} ${session.words.say('menu.rememberedIn', { file })}`);
    }
    return current;
  }
}

/** Staff send the staff key (--key, LUZ_STAFF_KEY, STAFF_KEY, the lab's key file); without one, back to the first menu. */
async function staffSession(session: Session, given: GivenSecrets): Promise<Session | undefined> {
  const key = staffCredential(given, session.env);
  if (!key) {
    const file = staffKeyPath(session.env);
    session.printError(`${session.errorStyle.alert(session.words.say('error'))} ${session.words.say('menu.noStaffKey', { file })}`);
    return undefined;
  }
  const current = withCredential(session, key);
  return (await accepted(current)).ok ? current : undefined;
}

async function staffMenu(session: Session): Promise<void> {
  const { say } = session.words;
  const parse = argumentParsers(say);
  for (;;) {
    const choice = await select({
      message: say('menu.staff'),
      choices: [
        { name: say('menu.addCustomer'), value: 'customer' },
        { name: say('menu.addMeter'), value: 'meter' },
        { name: say('menu.addReading'), value: 'reading' },
        { name: say('menu.back'), value: 'back' },
      ],
    });
    if (choice === 'back') return;
    if (choice === 'customer') {
      const cpf = await askCpf(session);
      const name = await ask(say('menu.name'), (value) => {
        if (!value.trim()) throw new Error(say('parse.nameEmpty'));
        return value.trim();
      });
      const connection = await select({
        message: say('menu.connection'),
        choices: [
          { name: 'Monofásico', value: 'monofasico' },
          { name: 'Bifásico', value: 'bifasico' },
          { name: 'Trifásico', value: 'trifasico' },
        ],
      });
      await attempt(session, () => addCustomer(session, cpf, name, connection));
    } else if (choice === 'meter') {
      const cpf = await askCpf(session);
      await attempt(session, () => addMeter(session, cpf));
    } else {
      const cpf = await askCpf(session);
      const meterId = await ask(say('menu.meterId'), parse.meter, '1');
      const kwh = await ask(say('menu.kwh'), parse.kwh);
      const timestamp = await ask(say('menu.when'), (value) => parse.when(value, Date.now(), session.timeZone), session.words.lang === 'en' ? 'now' : 'agora');
      await attempt(session, () => addReading(session, cpf, meterId, kwh, timestamp));
    }
  }
}

async function customerMenu(session: Session): Promise<void> {
  const { say } = session.words;
  const parse = argumentParsers(say);
  const cpf = await askCpf(session);
  for (;;) {
    const choice = await select({
      message: say('menu.customer', { cpf: formatCpf(cpf) }),
      choices: [
        { name: say('menu.invoice'), value: 'invoice' },
        { name: say('menu.history'), value: 'history' },
        { name: say('menu.alarm'), value: 'alarm' },
        { name: say('menu.back'), value: 'back' },
      ],
    });
    if (choice === 'back') return;
    if (choice === 'invoice') {
      const month = await ask(say('menu.month'), parse.month, monthKeyOf(Date.now(), session.timeZone));
      await attempt(session, () => showInvoice(session, cpf, month));
    } else if (choice === 'history') {
      const kind = parse.kind(
        await select({
          message: say('menu.period'),
          choices: [
            { name: say('menu.dayByHour'), value: 'D' },
            { name: say('menu.monthByDay'), value: 'M' },
            { name: say('menu.yearByMonth'), value: 'Y' },
          ],
        }),
      );
      const periodo = await ask(say('menu.periodsBack'), parse.periodsBack, '0');
      await attempt(session, () => showHistory(session, cpf, { kind, periodo }));
    } else {
      await attempt(session, () => showAlarm(session, cpf));
    }
  }
}

/** The menus until Quit or Ctrl-C; both end with exit code 0. */
export async function runInteractive(session: Session, given: GivenSecrets): Promise<number> {
  const { say } = session.words;
  try {
    for (;;) {
      const role = await select({
        message: say('menu.who'),
        choices: [
          { name: say('menu.roleStaff'), value: 'staff', description: say('menu.roleStaffHint') },
          { name: say('menu.roleCustomer'), value: 'customer', description: say('menu.roleCustomerHint') },
          { name: say('menu.quit'), value: 'quit' },
        ],
      });
      if (role === 'quit') return 0;
      const current = await (role === 'staff' ? staffSession(session, given) : customerSession(session, given));
      if (!current) {
        session.print('');
        continue;
      }
      await (role === 'staff' ? staffMenu(current) : customerMenu(current));
    }
  } catch (error) {
    // Ctrl-C inside a prompt: leave quietly, as the user asked.
    if ((error as Error)?.name === 'ExitPromptError') return 0;
    throw error;
  }
}
