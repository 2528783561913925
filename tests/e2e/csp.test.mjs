// Every page under the server's Content-Security-Policy (src/server/http.c): the staff console, the
// phone pages and the public pages load, draw their charts and tooltips and open their dialogs
// without one violation of the policy (browser.mjs collects them), and each page carries the
// policy with frame-ancestors 'none'.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN, startServer } from './server.mjs';
import { cspViolations, launchBrowser, shot, shotDir } from './browser.mjs';

const TIMEOUT = 15000;

describe('pages under the Content-Security-Policy', () => {
  let server;
  let browser;

  before(async () => {
    server = await startServer({ residents: 50 });
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close(); // fails if any page broke the policy
    await server?.stop();
    console.log(`# screenshots: ${shotDir}`);
  });

  async function signedIn(contextOptions) {
    const context = await browser.newContext({ locale: 'zh-CN', ...contextOptions });
    context.setDefaultTimeout(TIMEOUT);
    const r = await context.request.post(`${server.base}/api/v1/session`, { data: { login: ADMIN, password: server.password } });
    assert.equal(r.status(), 200);
    return context;
  }

  /** Opens each path, lets it settle, and checks the policy came with the document. */
  async function visit(context, paths, name) {
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    for (const path of paths) {
      const res = await page.goto(server.base + path);
      assert.match(res.headers()['content-security-policy'] || '', /frame-ancestors 'none'/, path);
      assert.equal(res.headers()['referrer-policy'], 'no-referrer', path);
      await page.waitForLoadState('networkidle');
      await page.waitForTimeout(300);
      // Charts: move over each canvas so that ECharts draws its tooltip (inline-styled HTML).
      for (const canvas of await page.locator('canvas').all()) {
        const box = await canvas.boundingBox();
        if (!box) continue;
        for (const f of [0.3, 0.5, 0.7]) await page.mouse.move(box.x + box.width * f, box.y + box.height * 0.5);
        await page.waitForTimeout(200);
      }
    }
    await shot(page, name);
    await page.close();
    assert.deepEqual(errors, []);
  }

  test('the staff console', async () => {
    const c = await signedIn({ viewport: { width: 1366, height: 900 } });
    const cid = server.communityId;
    await visit(c, ['/', '/registry/compounds', '/registry/people', '/registry/organisations', '/registry/venues',
      '/registry/staff', '/wishes/intake', '/wishes/review', '/wishes/campaigns', '/fund/donations', '/fund/payouts',
      '/fund/ledger', '/fund/report', '/fund/settings', '/volunteers', '/volunteers/trainings', '/volunteers/activities',
      '/volunteers/hours', '/volunteers/awards', '/grants/rounds', '/grants/review', '/grants/propose'], 'csp-staff');
    // A dialog (Element Plus teleports it, with its own styles) and a message box.
    const page = await c.newPage();
    await page.goto(`${server.base}/registry/compounds`);
    await page.waitForLoadState('networkidle');
    const add = page.locator('button', { hasText: /新增|添加/ }).first();
    if (await add.count()) {
      await add.click();
      await page.waitForTimeout(500);
    }
    await page.close();
    assert.ok(cid);
    await c.close();
  });

  test('the phone pages', async () => {
    const c = await signedIn({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
    await visit(c, ['/m', '/m/wishes', '/m/activities', '/m/volunteer/apply', '/m/volunteer/shifts', '/m/volunteer/hours',
      '/m/checkin', '/m/me'], 'csp-phone');
    await c.close();
  });

  test('the public pages, not logged in', async () => {
    const c = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
    c.setDefaultTimeout(TIMEOUT);
    await visit(c, ['/login', '/wall', '/fund', '/grants', '/leaderboard', '/verify/1-2026-000001'], 'csp-public');
    await c.close();
  });

  test('no page broke the policy', () => {
    assert.deepEqual(cspViolations, []);
  });
});
