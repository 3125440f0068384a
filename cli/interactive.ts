// `luz` with no arguments on a terminal: arrow-key menus for staff and customers, input checked before any request.
import input from '@inquirer/input';
import select from '@inquirer/select';
import { formatCpf } from '../core/cpf';
import { monthKeyOf } from '../core/periods';
import { addCustomer, addMeter, addReading, describeFailure, showAlarm, showHistory, showInvoice, type Session } from './commands';
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
    session.printError(describeFailure(error, session.json, session.errorStyle));
  }
  session.print('');
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
export async function runInteractive(session: Session): Promise<number> {
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
      await (role === 'staff' ? staffMenu(session) : customerMenu(session));
    }
  } catch (error) {
    // Ctrl-C inside a prompt: leave quietly, as the user asked.
    if ((error as Error)?.name === 'ExitPromptError') return 0;
    throw error;
  }
}
