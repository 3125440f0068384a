// The app: sign-in, then the customer portal (invoice, history, alarm) or the staff console.
import { useState } from 'preact/hooks';
import { createI18n, type I18n, type Lang } from '../../i18n/index';
import { Api, ApiFailure } from './api';
import { ConsoleScreen } from './console/console';
import { html } from './html';
import { AlarmScreen } from './portal/alarm';
import { HistoryScreen } from './portal/history';
import { InvoiceScreen } from './portal/invoice';
import { keepSession, savedSession, type Session } from './session';
import { errorText } from './widgets';

export interface WebConfig {
  api: string;
  timeZone: string;
}

type Tab = 'invoice' | 'history' | 'alarm';

function SignIn({ i18n, config, onSignedIn }: { i18n: I18n; config: WebConfig; onSignedIn: (session: Session, keep: boolean) => void }) {
  const [role, setRole] = useState<'customer' | 'staff'>('customer');
  const [failure, setFailure] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    const secret = String(form.get('secret') ?? '').trim();
    const keep = form.get('keep') === 'on';
    setBusy(true);
    setFailure(undefined);
    try {
      const api = new Api(config.api, secret);
      if (role === 'customer') {
        const cpf = String(form.get('cpf') ?? '').replace(/\D/g, '');
        await api.invoices(cpf); // a token that does not open this CPF's data is refused here (403)
        onSignedIn({ role: 'customer', cpf, secret }, keep);
      } else {
        await api.customersInAlarm(); // staff-only: a customer token gets 403
        onSignedIn({ role: 'staff', secret }, keep);
      }
    } catch (error) {
      setFailure(role === 'staff' && error instanceof ApiFailure && error.status === 403 ? new ApiFailure(403, 'forbidden', undefined, 'staff only') : error);
    } finally {
      setBusy(false);
    }
  };
  return html`<section class="signin" aria-labelledby="signin-title">
    <h2 id="signin-title">${i18n.t('signin.heading')}</h2>
    <fieldset class="roles">
      <legend class="visually-hidden">${i18n.t('signin.heading')}</legend>
      <label><input type="radio" name="role" checked=${role === 'customer'} onChange=${() => setRole('customer')} /> ${i18n.t('signin.customer')}</label>
      <label><input type="radio" name="role" checked=${role === 'staff'} onChange=${() => setRole('staff')} /> ${i18n.t('signin.staff')}</label>
    </fieldset>
    <form onSubmit=${submit}>
      ${role === 'customer' && html`<label for="cpf">${i18n.t('signin.cpf')}</label><input id="cpf" name="cpf" inputmode="numeric" autocomplete="username" required />`}
      <label for="secret">${i18n.t(role === 'customer' ? 'signin.token' : 'signin.staffKey')}</label>
      <input id="secret" name="secret" type="password" autocomplete="current-password" required />
      <label class="inline"><input type="checkbox" name="keep" /> ${i18n.t('signin.remember')}</label>
      <button type="submit" disabled=${busy}>${i18n.t('signin.submit')}</button>
      ${failure !== undefined && html`<p class="error" role="alert">${errorText(i18n, failure)}</p>`}
    </form>
  </section>`;
}

function Portal({ i18n, api, cpf }: { i18n: I18n; api: Api; cpf: string }) {
  const [tab, setTab] = useState<Tab>('invoice');
  const tabs: [Tab, string][] = [['invoice', i18n.t('nav.invoice')], ['history', i18n.t('nav.history')], ['alarm', i18n.t('nav.alarm')]];
  return html`<div>
    <nav aria-label="Luz"><ul class="tabs">${tabs.map(([id, label]) => html`<li><button type="button" aria-current=${tab === id ? 'page' : undefined} onClick=${() => setTab(id)}>${label}</button></li>`)}</ul></nav>
    ${tab === 'invoice' && html`<${InvoiceScreen} i18n=${i18n} api=${api} cpf=${cpf} />`}
    ${tab === 'history' && html`<${HistoryScreen} i18n=${i18n} api=${api} cpf=${cpf} />`}
    ${tab === 'alarm' && html`<${AlarmScreen} i18n=${i18n} api=${api} cpf=${cpf} />`}
  </div>`;
}

export function App({ config, initialLang }: { config: WebConfig; initialLang: Lang }) {
  const [lang, setLang] = useState<Lang>(initialLang);
  const [session, setSession] = useState<Session | undefined>(savedSession);
  const i18n = createI18n(lang, config.timeZone);
  document.documentElement.lang = lang;
  document.title = i18n.t('app.title');
  const signIn = (next: Session, keep: boolean) => {
    keepSession(next, keep);
    setSession(next);
  };
  const signOut = () => {
    keepSession(undefined, false);
    setSession(undefined);
  };
  const api = session && new Api(config.api, session.secret);
  return html`<a class="skip" href="#main">${i18n.t('app.skip')}</a>
    <header>
      <h1>${i18n.t('app.title')}</h1>
      <div class="header-tools">
        <label>${i18n.t('lang.label')} <select value=${lang} onChange=${(event: Event) => setLang((event.target as HTMLSelectElement).value as Lang)}>
          <option value="pt-BR">Português (Brasil)</option><option value="en">English</option>
        </select></label>
        ${session && html`<button type="button" onClick=${signOut}>${i18n.t('signout')}</button>`}
      </div>
    </header>
    <main id="main" tabindex="-1">
      ${!session && html`<${SignIn} i18n=${i18n} config=${config} onSignedIn=${signIn} />`}
      ${session?.role === 'customer' && html`<${Portal} i18n=${i18n} api=${api} cpf=${session.cpf} />`}
      ${session?.role === 'staff' && html`<${ConsoleScreen} i18n=${i18n} api=${api} />`}
    </main>`;
}
