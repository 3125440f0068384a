// `luz alarme --watch`: re-checks on an interval, prints only changes, and shows a spinner while it waits.
import type { Alarm } from './api';
import { describeFailure, type Session } from './commands';
import { describeAlarmChange, formatDateTime, renderAlarm } from './format';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** A one-line spinner on a terminal; on anything else it stays silent so logs and pipes stay clean. */
export class Spinner {
  private frame = 0;
  private text = '';
  private timer?: NodeJS.Timeout;

  constructor(private readonly stream: NodeJS.WriteStream) {}

  private get enabled(): boolean {
    return Boolean(this.stream.isTTY);
  }

  start(text: string): void {
    this.text = text;
    if (!this.enabled || this.timer) return;
    this.render();
    this.timer = setInterval(() => this.render(), 100);
  }

  update(text: string): void {
    this.text = text;
  }

  stop(): void {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.stream.write('\r\x1b[2K');
  }

  private render(): void {
    this.frame = (this.frame + 1) % FRAMES.length;
    this.stream.write(`\r\x1b[2K${FRAMES[this.frame]} ${this.text}`);
  }
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((done) => {
    if (signal.aborted) return done();
    const timer = setTimeout(finish, ms);
    function finish() {
      clearTimeout(timer);
      signal.removeEventListener('abort', finish);
      done();
    }
    signal.addEventListener('abort', finish);
  });
}

/**
 * Prints the alarm, then each change until `signal` aborts (Ctrl-C). With --json every printed
 * state is one JSON line. The first check's failure ends the watch (wrong CPF, API down); later
 * failures are reported once each and the watch goes on, so a brief outage does not end it.
 */
export async function watchAlarm(session: Session, cpf: string, everyMs: number, signal: AbortSignal, spinner: Spinner): Promise<void> {
  const now = () => formatDateTime(Date.now(), session.timeZone).slice(11);
  const emit = (alarm: Alarm, headline?: string) => {
    if (session.json) return session.print(JSON.stringify(alarm));
    const view = renderAlarm(alarm, { words: session.words, style: session.style });
    session.print(headline ? `\n${session.style.bold(`── ${now()} · ${headline}`)}\n${view}` : view);
  };

  let last = await session.client.getAlarm(cpf);
  emit(last);
  let lastFailure = '';
  while (!signal.aborted) {
    const dueAt = Date.now() + everyMs;
    const checked = now();
    spinner.start('');
    const waiting = () => waitingText(session, checked, dueAt, lastFailure !== '');
    const tick = setInterval(() => spinner.update(waiting()), 250);
    spinner.update(waiting());
    await pause(everyMs, signal);
    clearInterval(tick);
    spinner.stop();
    if (signal.aborted) break;
    try {
      const alarm = await session.client.getAlarm(cpf);
      lastFailure = '';
      const change = describeAlarmChange(last, alarm, session.words);
      if (change) emit(alarm, change);
      last = alarm;
    } catch (error) {
      const line = describeFailure(error, session.json, session.errorStyle, session.words);
      if (line !== lastFailure) session.printError(line);
      lastFailure = line;
    }
  }
}

function waitingText(session: Session, checkedAt: string, dueAt: number, failing: boolean): string {
  const seconds = Math.max(0, Math.ceil((dueAt - Date.now()) / 1000));
  return session.words.say(failing ? 'out.checkFailed' : 'out.checked', { time: checkedAt, seconds });
}
