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
import { cpfArgument, kindArgument, kwhArgument, meterArgument, monthArgument, periodsBackArgument, whenArgument } from './parse';

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

const askCpf = () => ask('CPF (11 digits or 000.000.000-00):', cpfArgument);

/** Runs one action; an API error is shown as its one line and the menu goes on. */
async function attempt(session: Session, action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (error) {
    session.printError(describeFailure(error, session.json, session.errorStyle, session));
  }
  session.print('');
}

/** The token prompt: only `luz_` and dots are drawn (a dot per character while typing), and the shape is checked before any request. */
export function askToken(): Promise<string> {
  return input({
    message: 'Customer token (luz_…, as staff gave it to you):',
    transformer: (value, { isFinal }) => value.slice(0, 4) + '•'.repeat(isFinal ? 8 : Math.max(0, value.length - 4)),
    validate: (value) => tokenShapeProblem(value) ?? true,
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
    session.printError(describeFailure(error, session.json, session.errorStyle, session));
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
    session.print(session.style.dim(`Using the customer token ${maskSecret(known.secret)} from ${known.source}`));
    const check = await accepted(current);
    if (check.ok) return current;
    if (!check.refused) return undefined;
  }
  for (;;) {
    const typed: Credential = { kind: 'customer', secret: await askToken(), source: 'the prompt' };
    const current = withCredential(session, typed);
    const check = await accepted(current);
    if (!check.ok) {
      if (check.refused) continue;
      return undefined;
    }
    const file = rememberedTokenFile(session.env);
    const remember = await select({
      message: 'Remember this token on this computer?',
      choices: [
        { name: 'Yes', value: true, description: `kept in ${file}, readable only by you; luz sair forgets it` },
        { name: 'No, only this time', value: false },
      ],
    });
    if (remember) {
      rememberToken(session.env, typed.secret);
      session.print(`${session.style.green('✓')} Token remembered in ${file}`);
    }
    return current;
  }
}

/** Staff send the staff key (--key, LUZ_STAFF_KEY, STAFF_KEY, the lab's key file); without one, back to the first menu. */
async function staffSession(session: Session, given: GivenSecrets): Promise<Session | undefined> {
  const key = staffCredential(given, session.env);
  if (!key) {
    const file = staffKeyPath(session.env);
    session.printError(
      `${session.errorStyle.alert('error:')} no staff key (looked at --key, LUZ_STAFF_KEY, STAFF_KEY, ${file}); ` +
        `start Luz with npm start so ${file} exists, or pass --key`,
    );
    return undefined;
  }
  const current = withCredential(session, key);
  return (await accepted(current)).ok ? current : undefined;
}

async function staffMenu(session: Session): Promise<void> {
  for (;;) {
    const choice = await select({
      message: 'Staff: what do you want to do?',
      choices: [
        { name: 'Register a customer', value: 'customer' },
        { name: 'Register a meter', value: 'meter' },
        { name: 'Add a reading', value: 'reading' },
        { name: 'Back', value: 'back' },
      ],
    });
    if (choice === 'back') return;
    if (choice === 'customer') {
      const cpf = await askCpf();
      const name = await ask('Name:', (value) => {
        if (!value.trim()) throw new Error('the name must not be empty');
        return value.trim();
      });
      const connection = await select({
        message: 'Connection:',
        choices: [
          { name: 'Monofásico', value: 'monofasico' },
          { name: 'Bifásico', value: 'bifasico' },
          { name: 'Trifásico', value: 'trifasico' },
        ],
      });
      await attempt(session, () => addCustomer(session, cpf, name, connection));
    } else if (choice === 'meter') {
      const cpf = await askCpf();
      await attempt(session, () => addMeter(session, cpf));
    } else {
      const cpf = await askCpf();
      const meterId = await ask('Meter id:', meterArgument, '1');
      const kwh = await ask('kWh since the previous reading:', kwhArgument);
      const timestamp = await ask('When (now, 2026-11-25T14:30, 25/11/2026 14:30):', (value) => whenArgument(value, Date.now(), session.timeZone), 'now');
      await attempt(session, () => addReading(session, cpf, meterId, kwh, timestamp));
    }
  }
}

async function customerMenu(session: Session): Promise<void> {
  const cpf = await askCpf();
  for (;;) {
    const choice = await select({
      message: `Customer ${formatCpf(cpf)}: what do you want to see?`,
      choices: [
        { name: 'Invoice', value: 'invoice' },
        { name: 'Consumption history', value: 'history' },
        { name: 'Alarm', value: 'alarm' },
        { name: 'Back', value: 'back' },
      ],
    });
    if (choice === 'back') return;
    if (choice === 'invoice') {
      const month = await ask('Month (YYYY-MM):', monthArgument, monthKeyOf(Date.now(), session.timeZone));
      await attempt(session, () => showInvoice(session, cpf, month));
    } else if (choice === 'history') {
      const kind = kindArgument(
        await select({
          message: 'Period:',
          choices: [
            { name: 'Day (by hour)', value: 'D' },
            { name: 'Month (by day)', value: 'M' },
            { name: 'Year (by month)', value: 'Y' },
          ],
        }),
      );
      const periodo = await ask('How many periods back (0 = current):', periodsBackArgument, '0');
      await attempt(session, () => showHistory(session, cpf, { kind, periodo }));
    } else {
      await attempt(session, () => showAlarm(session, cpf));
    }
  }
}

/** The menus until Quit or Ctrl-C; both end with exit code 0. */
export async function runInteractive(session: Session, given: GivenSecrets): Promise<number> {
  try {
    for (;;) {
      const role = await select({
        message: 'Who is using Luz?',
        choices: [
          { name: 'Staff', value: 'staff', description: 'register customers, meters and readings' },
          { name: 'Customer', value: 'customer', description: 'invoice, consumption history and alarm' },
          { name: 'Quit', value: 'quit' },
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
