// Headless Debian Chromium through playwright-core (resolved from web/'s
// node_modules, so the repository has one package.json); no browser download.
// Every page of every context is watched for Content-Security-Policy violations
// (the server's policy, src/server/http.c): closing a browser that saw one fails
// the suite, so a page that needs more than the policy allows is found at once.
import { createRequire } from 'node:module';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root } from './server.mjs';

const require = createRequire(join(root, 'web/package.json'));
const { chromium } = require('playwright-core');

export const CHROMIUM = process.env.LINLI_CHROMIUM || '/usr/bin/chromium';

/** The violations seen by the browsers launched here: { page, directive, blocked, sample }. */
export const cspViolations = [];

async function watchCsp(context) {
  // The event fires in the page for every blocked load, inline style or script and eval; it is
  // passed out through a console message that the listener below picks up.
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`linli-csp-violation ${JSON.stringify({ directive: e.violatedDirective, blocked: e.blockedURI,
        sample: e.sample, source: `${e.sourceFile}:${e.lineNumber}` })}`);
    });
  });
  const seen = (page, text) => {
    const m = /^linli-csp-violation (.*)$/.exec(text);
    if (m) cspViolations.push({ page: page.url(), ...JSON.parse(m[1]) });
    else if (/Content Security Policy/.test(text)) cspViolations.push({ page: page.url(), message: text });
  };
  context.on('page', (page) => page.on('console', (msg) => seen(page, msg.text())));
  for (const page of context.pages()) page.on('console', (msg) => seen(page, msg.text()));
}

export async function launchBrowser() {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (...args) => {
    const context = await newContext(...args);
    await watchCsp(context);
    return context;
  };
  const close = browser.close.bind(browser);
  browser.close = async (...args) => {
    await close(...args);
    if (cspViolations.length)
      throw new Error(`the pages broke the Content-Security-Policy ${cspViolations.length} times:\n` +
        cspViolations.slice(0, 20).map((v) => JSON.stringify(v)).join('\n'));
  };
  return browser;
}

/** A folder outside the repository for the screenshots of this run. */
export const shotDir = mkdtempSync(join(tmpdir(), 'linli-e2e-shots-'));

export async function shot(page, name) {
  const path = join(shotDir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
