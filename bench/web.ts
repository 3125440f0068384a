// The web app's two bench rows: the customer portal's first load (KB of JavaScript gzipped, against
// its libraries alone built the same way) and the time to a rendered invoice in Debian's chromium
// (against the same page's network path alone: config.json, then getFatura and faturas).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser } from 'playwright-core';
import { registerCustomer, registerMeter } from '../core/customers';
import { loadConfig } from '../core/config';
import { recordReadings } from '../core/readings';
import { createContext } from '../core/wiring';
import { startOffline } from '../dev/offline';
import { freePort } from '../dev/ports';
import { buildWeb, serveWeb } from '../dev/web';
import { createI18n } from '../i18n/index';
import { round, summarize, type Summary } from './measure';
import { scratchDir, startDatabase, TABLE_PREFIX, track } from './services';

const CHROMIUM = process.env.LUZ_CHROMIUM ?? '/usr/bin/chromium';
const ZONE = 'America/Bahia';

export interface FirstLoad {
  /** What index.html makes the browser fetch before the app runs, each raw and gzipped (-9). */
  files: { name: string; bytes: number; gzipBytes: number }[];
  jsGzipBytes: number;
  cssGzipBytes: number;
  /** Preact + hooks + htm + uPlot alone, built by the same Vite settings: what no app on this stack can go under. */
  librariesJsGzipBytes: number;
}

export interface InvoiceRender {
  repetitions: number;
  /** Navigation start to the invoice's total on screen, each in a fresh browser context (a first visit). */
  app: Summary;
  /** Navigation start to the same API answers parsed, the page's network path without the app (fresh contexts too). */
  network: Summary;
}

export interface WebResult {
  firstLoad: FirstLoad;
  render: InvoiceRender;
}

const gz = (bytes: Buffer) => gzipSync(bytes, { level: 9 }).length;

/** The files index.html loads at once: module scripts, module preloads, stylesheets. */
function firstLoadOf(dir: string): FirstLoad['files'] {
  const html = readFileSync(join(dir, 'index.html'), 'utf8');
  const references = [...html.matchAll(/<(?:script[^>]*\ssrc|link[^>]*\shref)="([^"]+\.(?:js|css))"/g)].map((match) => match[1]);
  return [...new Set(references)].map((name) => {
    const bytes = readFileSync(join(dir, name));
    return { name: name.replace(/^\.\//, ''), bytes: bytes.length, gzipBytes: gz(bytes) };
  });
}

const sum = (files: FirstLoad['files'], extension: string) => files.filter((file) => file.name.endsWith(extension)).reduce((total, file) => total + file.gzipBytes, 0);

/** The libraries the portal is made of, in one page that keeps every export it names (nothing shaken off beyond what the app could drop). */
async function librariesOnly(): Promise<number> {
  // Inside the project, so Vite resolves node_modules as it does for web/.
  const root = resolve('.esbuild', `bench-web-libraries-${process.pid}`);
  mkdirSync(root, { recursive: true });
  try {
    writeFileSync(join(root, 'index.html'), '<!doctype html><html><body><script type="module" src="./main.js"></script></body></html>\n');
    writeFileSync(
      join(root, 'main.js'),
      "import { render, h } from 'preact';\nimport { useEffect, useState } from 'preact/hooks';\nimport htm from 'htm';\nimport uPlot from 'uplot';\n" +
        'globalThis.libraries = [render, h, useEffect, useState, htm, uPlot];\n',
    );
    const out = join(root, 'dist');
    await buildWeb(out, undefined, root);
    return sum(firstLoadOf(out), '.js');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

async function renderTimes(browser: Browser, url: string, api: string, customer: { id: string; token: string }, total: string, repetitions: number): Promise<InvoiceRender> {
  const session = JSON.stringify({ role: 'customer', cpf: customer.id, secret: customer.token });
  const fresh = async () => {
    const context = await browser.newContext({ locale: 'pt-BR', viewport: { width: 1280, height: 900 } });
    // Signed in with "Manter conectado nesta aba": the app opens straight on the invoice.
    await context.addInitScript((value) => sessionStorage.setItem('luz.session', value), session);
    return context;
  };
  const appOnce = async () => {
    const context = await fresh();
    try {
      const page = await context.newPage();
      await page.goto(url);
      await page.waitForFunction((text) => document.body.innerText.includes(text), total, { polling: 'raf', timeout: 30_000 });
      return await page.evaluate(() => performance.now());
    } finally {
      await context.close();
    }
  };
  const networkOnce = async () => {
    const context = await fresh();
    try {
      const page = await context.newPage();
      // The server's smallest answer, same headers; then what the app asks before it can draw the invoice.
      await page.goto(`${url}/config.json`);
      return await page.evaluate(
        async ({ api, id, token }) => {
          await (await fetch('/config.json', { cache: 'no-store' })).json();
          const headers = { authorization: `Bearer ${token}`, accept: 'application/json' };
          const month = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Bahia', year: 'numeric', month: '2-digit' }).format(Date.now());
          await Promise.all([
            fetch(`${api}/getFatura?id=${id}&mes=${month}`, { headers }).then((response) => response.json()),
            fetch(`${api}/faturas?id=${id}`, { headers }).then((response) => response.json()),
          ]);
          return performance.now();
        },
        { api, id: customer.id, token: customer.token },
      );
    } finally {
      await context.close();
    }
  };
  // Both once unmeasured (the API's handlers and chromium warm up), then interleaved, so drift hits both alike.
  await appOnce();
  await networkOnce();
  const app: number[] = [];
  const network: number[] = [];
  for (let i = 0; i < repetitions; i++) {
    app.push(await appOnce());
    network.push(await networkOnce());
  }
  return { repetitions, app: summarize(app), network: summarize(network) };
}

export async function measureWeb(options: { repetitions: number; staffKey: string; log: (message: string) => void }): Promise<WebResult> {
  const dir = scratchDir('web');
  options.log('web: building the app (vite) and its libraries alone');
  await buildWeb(dir);
  const files = firstLoadOf(dir);
  const firstLoad: FirstLoad = { files, jsGzipBytes: sum(files, '.js'), cssGzipBytes: sum(files, '.css'), librariesJsGzipBytes: await librariesOnly() };

  options.log('web: DynamoDB Local (memory), serverless offline, a customer with this month\'s readings, chromium');
  const dynamo = await startDatabase('memory');
  const context = createContext(loadConfig({ DYNAMODB_ENDPOINT: dynamo.endpoint, LUZ_TABLE_PREFIX: TABLE_PREFIX }));
  const id = '52998224725';
  const { token } = await registerCustomer(context, { id, name: 'Conceição Araújo' });
  await registerMeter(context, { id });
  const now = Date.now();
  await recordReadings(context, Array.from({ length: 96 }, (_, i) => ({ customerId: id, meterId: 1, valor: 0.75, timestampMs: now - (i + 1) * 900_000 })));
  const [httpPort, lambdaPort] = [await freePort(), await freePort()];
  const offline = track(await startOffline({ httpPort, lambdaPort, env: { DYNAMODB_ENDPOINT: dynamo.endpoint, LUZ_TABLE_PREFIX: TABLE_PREFIX, STAFF_KEY: options.staffKey } }));
  const web = await serveWeb({ dir, port: 0, config: { api: offline.url, timeZone: ZONE } });
  const browser = await chromium.launch({ executablePath: CHROMIUM });
  try {
    const invoice = (await (await fetch(`${offline.url}/getFatura?id=${id}`, { headers: { authorization: `Bearer ${token}` } })).json()) as { valor: number };
    const total = createI18n('pt-BR', ZONE).money(invoice.valor);
    options.log(`web: time to a rendered invoice (${total}), ${options.repetitions} fresh contexts each, interleaved with the network path alone`);
    const render = await renderTimes(browser, web.url, offline.url, { id, token }, total, options.repetitions);
    return { firstLoad, render };
  } finally {
    await browser.close();
    await web.stop();
    await offline.stop();
    await dynamo.stop();
  }
}

/** The two rows, in the bench's shape (bench/main.ts). */
export function webRows(result: WebResult) {
  const { firstLoad, render } = result;
  const kb = (bytes: number) => `${round(bytes / 1024, 1)} KB`;
  return [
    {
      id: 'web-first-load',
      measure: `customer portal first load: JavaScript gzipped (-9) that index.html loads (${firstLoad.files.map((file) => file.name).join(', ')})`,
      luz: `${kb(firstLoad.jsGzipBytes)} JS (+ ${kb(firstLoad.cssGzipBytes)} CSS)`,
      ceiling: `Preact + hooks + htm + uPlot alone, same Vite build: ${kb(firstLoad.librariesJsGzipBytes)}`,
      ratio: round(firstLoad.jsGzipBytes / firstLoad.librariesJsGzipBytes, 2),
      target: '≤ 100 KB',
      met: firstLoad.jsGzipBytes <= 100 * 1024,
    },
    {
      id: 'web-invoice-render',
      measure: `time to a rendered invoice in chromium: navigation start to the total on screen, signed in, a fresh context (cold cache) each of ${render.repetitions} times`,
      luz: `p50 ${Math.round(render.app.p50)} ms, p99 ${Math.round(render.app.p99)} ms`,
      ceiling: `the same requests alone (config.json, then getFatura + faturas) from a blank page: p50 ${Math.round(render.network.p50)} ms`,
      ratio: round(render.app.p50 / render.network.p50, 2),
      target: 'report',
      met: null,
    },
  ];
}
