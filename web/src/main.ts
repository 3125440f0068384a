// Boot: read where the API is (config.json, written by whoever serves the files), pick the language, render.
import { render } from 'preact';
import { pickLanguage } from '../../i18n/index';
import { App, type WebConfig } from './app';
import { html } from './html';
import './style.css';

async function boot(): Promise<void> {
  const config = (await (await fetch('config.json', { cache: 'no-store' })).json()) as WebConfig;
  const root = document.getElementById('app')!;
  root.textContent = ''; // the "Carregando…" placeholder: render() would keep it beside the app
  render(html`<${App} config=${config} initialLang=${pickLanguage(navigator.languages ?? [navigator.language])} />`, root);
}

void boot();
