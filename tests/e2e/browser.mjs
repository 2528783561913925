// Headless Debian Chromium through playwright-core (resolved from web/'s
// node_modules, so the repository has one package.json); no browser download.
import { createRequire } from 'node:module';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root } from './server.mjs';

const require = createRequire(join(root, 'web/package.json'));
const { chromium } = require('playwright-core');

export const CHROMIUM = process.env.LINLI_CHROMIUM || '/usr/bin/chromium';

export function launchBrowser() {
  return chromium.launch({
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
}

/** A folder outside the repository for the screenshots of this run. */
export const shotDir = mkdtempSync(join(tmpdir(), 'linli-e2e-shots-'));

export async function shot(page, name) {
  const path = join(shotDir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
