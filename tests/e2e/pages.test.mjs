// The web pages in headless Chromium against a real linli server with the demo
// community: sign in and the home numbers, compound search, people CSV import
// report, language switch, large-text mode, the mobile shell at 375px.
// One screenshot per test goes to a temp folder (printed at the end).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ADMIN, startServer } from './server.mjs';
import { launchBrowser, shot, shotDir } from './browser.mjs';

const TIMEOUT = 15000;

describe('linli web pages', () => {
  let server;
  let browser;
  let context;
  let page;
  const pageErrors = [];

  before(async () => {
    server = await startServer({ residents: 300 });
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN' });
    context.setDefaultTimeout(TIMEOUT);
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(String(e)));
  });

  after(async () => {
    await browser?.close();
    const r = await server?.stop();
    if (r && r.code !== 0 && r.signal === null) console.log(`# linli exited with ${r.code}`);
    console.log(`# screenshots: ${shotDir}`);
  });

  /** Signs in on the login page that `page` shows now, as admin. */
  async function signIn(p) {
    await p.locator('input[name="login"]').fill(ADMIN);
    await p.locator('input[name="password"]').fill(server.password);
    await p.locator('[data-testid="login-submit"]').click();
    await p.waitForURL((u) => !u.pathname.startsWith('/login'));
  }

  async function statText(key) {
    const el = page.locator(`[data-testid="stat-${key}-value"]`);
    await el.waitFor();
    return (await el.innerText()).trim();
  }

  test('signs in and shows the community home numbers', async () => {
    await page.goto(server.base + '/');
    await page.waitForURL(/\/login/);
    // A wrong password shows the server's message.
    await page.locator('input[name="login"]').fill(ADMIN);
    await page.locator('input[name="password"]').fill('wrong-password');
    await page.locator('[data-testid="login-submit"]').click();
    await page.locator('[data-testid="login-error"]').waitFor();
    assert.notEqual((await page.locator('[data-testid="login-error"]').innerText()).trim(), '');

    await signIn(page);
    assert.equal(new URL(page.url()).pathname, '/');
    await page.locator('[data-testid="community-name"]', { hasText: '文华社区' }).waitFor();
    await page.waitForFunction(() => {
      const el = document.querySelector('[data-testid="stat-residents-value"]');
      return el && /\d/.test(el.textContent || '');
    });
    assert.equal(await statText('residents'), '300');
    assert.equal(await statText('compounds'), '21');
    assert.match(await statText('organisations'), /^\d+$/);
    // Volunteers and the fund may be null in this version of the server: "—", or a number / ¥ amount.
    assert.match(await statText('volunteers'), /^(—|[\d,]+)$/);
    assert.match(await statText('fund'), /^(—|¥[\d,]+\.\d\d)$/);
    await page.locator('[data-testid="residents-chart"] canvas').waitFor();
    await page.waitForTimeout(800); // the chart's entry animation
    await shot(page, '1-home');
  });

  test('compounds: searching 丰华花苑 shows it and not the others', async () => {
    await page.goto(server.base + '/registry/compounds');
    const table = page.locator('[data-testid="compounds-table"]');
    await table.locator('tbody tr', { hasText: '康桥水岸' }).first().waitFor();
    await page.locator('input[data-testid="search-input"], [data-testid="search-input"] input').first().fill('丰华花苑');
    await page.locator('[data-testid="search-button"]').click();
    await page.waitForFunction(() => {
      const rows = document.querySelectorAll('[data-testid="compounds-table"] tbody tr');
      return rows.length === 1 && rows[0].textContent.includes('丰华花苑');
    });
    const text = await table.locator('tbody').innerText();
    assert.match(text, /丰华花苑/);
    assert.doesNotMatch(text, /康桥水岸/);
    // Export links carry the search.
    const csv = await page.locator('[data-testid="export-csv"]').getAttribute('href');
    assert.match(csv, /\/compounds\?/);
    assert.match(csv, /format=csv/);
    assert.match(decodeURIComponent(csv), /q=丰华花苑/);
    // A click on the row shows its buildings.
    await table.locator('tbody tr', { hasText: '丰华花苑' }).click();
    await page.locator('[data-testid="buildings-table"] tbody tr').first().waitFor();
    await shot(page, '2-compounds-search');
  });

  test('people: a CSV import reports 2 imported, 1 failed with its line', async () => {
    await page.goto(server.base + '/registry/people');
    await page.locator('[data-testid="people-table"] tbody tr').first().waitFor();
    const csv = [
      '姓名,手机号,身份证号,小区,楼栋,房号,标签',
      '测试甲,13800138000,,丰华花苑,1栋,101,长者',
      '测试乙,13900139000,,文华花园,2栋,202,党员;楼长',
      '测试丙,12345,,丰华花苑,3栋,303,',
      '',
    ].join('\n');
    await page.locator('[data-testid="import-file"]').setInputFiles({
      name: 'people.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(csv, 'utf8'),
    });
    const report = page.locator('[data-testid="import-report"]');
    await report.waitFor();
    assert.equal((await report.locator('[data-testid="import-imported"]').innerText()).trim(), '2');
    assert.equal((await report.locator('[data-testid="import-failed"]').innerText()).trim(), '1');
    const rows = report.locator('[data-testid="import-errors"] tbody tr');
    assert.equal(await rows.count(), 1);
    const firstCell = (await rows.first().locator('td').first().innerText()).trim();
    assert.equal(firstCell, '4', 'the bad row is line 4 of the file (the header is line 1)');
    assert.match(await rows.first().innerText(), /手机号/);
    await page.waitForTimeout(400); // the dialog's fade-in
    await shot(page, '3-people-import');
    await page.keyboard.press('Escape');
    await report.waitFor({ state: 'hidden' });
    // Phones are masked by default.
    assert.match(await page.locator('[data-testid="people-table"] tbody').innerText(), /\d{3}\*{4}\d{4}/);
  });

  test('people: server errors show field by field; unmasking says it is audited', async () => {
    await page.goto(server.base + '/registry/people');
    await page.locator('[data-testid="people-table"] tbody tr').first().waitFor();
    await page.locator('[data-testid="create-button"]').click();
    await page.locator('input[data-testid="person-name"], [data-testid="person-name"] input').first().fill('测试丁');
    await page.locator('input[data-testid="person-phone"], [data-testid="person-phone"] input').first().fill('13800138001');
    // 18 characters (passes the client hint) but a wrong GB 11643 check digit: only the server knows.
    await page.locator('input[data-testid="person-id-number"], [data-testid="person-id-number"] input').first().fill('440606199801026240');
    await page.locator('[data-testid="person-compound"]').first().click();
    await page.locator('.el-select-dropdown__item:visible', { hasText: '丰华花苑' }).first().click();
    await page.locator('[data-testid="create-save"]').click();
    const fieldError = page.locator('.el-dialog .el-form-item.is-error .el-form-item__error');
    await fieldError.first().waitFor();
    assert.equal(await fieldError.count(), 1, 'one field is wrong');
    const item = page.locator('.el-dialog .el-form-item.is-error');
    assert.match(await item.innerText(), /身份证号/);
    await page.locator('[data-testid="create-error"]').waitFor();
    await page.waitForTimeout(300);
    await shot(page, '3b-people-field-errors');
    await page.keyboard.press('Escape');

    await page.locator('[data-testid="unmask-switch"]').click();
    await page.locator('[data-testid="unmask-notice"]', { hasText: '审计' }).waitFor();
    await page.waitForFunction(() =>
      [...document.querySelectorAll('[data-testid="people-table"] tbody td')].some((td) => /^1\d{10}$/.test(td.textContent.trim())),
    );
    // The unmasked export is a POST with the CSRF token, saved as a file: no link another site could forge.
    assert.equal(await page.locator('[data-testid="export-csv"]').getAttribute('href'), null);
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid="export-csv"]').click()]);
    assert.equal(download.suggestedFilename(), 'people.csv');
    assert.match(readFileSync(await download.path(), 'utf8'), /,1\d{10},/);
    await page.locator('[data-testid="unmask-switch"]').click();
    await page.locator('[data-testid="unmask-notice"]').waitFor({ state: 'detached' });
  });

  test('the language switch shows English labels and back', async () => {
    await page.goto(server.base + '/');
    await page.locator('[data-testid="nav-compounds"]').waitFor({ state: 'attached' });
    assert.match(await page.locator('.staff-aside').innerText(), /基础信息/);
    await page.locator('[data-testid="lang-en"]').click();
    await page.locator('.staff-aside', { hasText: 'Registry' }).waitFor();
    assert.match(await page.locator('.staff-aside').innerText(), /Compounds/);
    assert.match(await page.locator('[data-testid="stat-residents"]').innerText(), /Residents/);
    assert.equal(await page.evaluate(() => localStorage.getItem('linli.lang')), 'en');
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
    // It persists across a reload.
    await page.reload();
    await page.locator('[data-testid="stat-residents"]', { hasText: 'Residents' }).waitFor();
    await shot(page, '4-english');
    await page.locator('[data-testid="lang-zh"]').click();
    await page.locator('.staff-aside', { hasText: '基础信息' }).waitFor();
    assert.match(await page.locator('[data-testid="stat-residents"]').innerText(), /常住居民/);
    assert.equal(await page.evaluate(() => localStorage.getItem('linli.lang')), 'zh-CN');
  });

  test('large-text mode makes the root font size bigger', async () => {
    await page.goto(server.base + '/');
    await page.locator('[data-testid="large-text"]').waitFor();
    const size = () => page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize));
    const labelSize = () =>
      page.evaluate(() => parseFloat(getComputedStyle(document.querySelector('.el-menu-item')).fontSize));
    const before = await size();
    const menuBefore = await labelSize();
    await page.locator('[data-testid="large-text"]').click();
    await page.waitForFunction(() => document.documentElement.classList.contains('large-text'));
    const after = await size();
    assert.ok(after >= before * 1.2, `root font size ${before}px → ${after}px`);
    assert.ok((await labelSize()) > menuBefore, 'Element Plus text grows too');
    assert.equal(await page.evaluate(() => localStorage.getItem('linli.largeText')), '1');
    await page.reload();
    await page.waitForFunction(() => document.documentElement.classList.contains('large-text'));
    await page.waitForTimeout(500);
    await shot(page, '5-large-text');
    await page.locator('[data-testid="large-text"]').click();
    await page.waitForFunction(() => !document.documentElement.classList.contains('large-text'));
    assert.equal(await size(), before);
  });

  test('organisations, venues and staff pages list their rows; no script errors', async () => {
    await page.goto(server.base + '/registry/organisations');
    await page.locator('[data-testid="organisations-table"] tbody tr', { hasText: '业主委员会' }).first().waitFor();
    await page.goto(server.base + '/registry/venues');
    await page.locator('[data-testid="venues-table"] tbody tr', { hasText: '盈信广场' }).first().waitFor();
    assert.match(await page.locator('[data-testid="venues-table"] tbody').innerText(), /商业广场/);
    await page.goto(server.base + '/registry/staff');
    await page.locator('[data-testid="staff-table"] tbody tr').first().waitFor();
    assert.match(await page.locator('[data-testid="staff-rate"]').innerText(), /^\d{1,3}\.\d%$/);
    await shot(page, '7-staff');
    assert.deepEqual(pageErrors, []);
  });

  test('the mobile shell at 375px shows the tab bar', async () => {
    const mobile = await browser.newContext({
      viewport: { width: 375, height: 740 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      locale: 'zh-CN',
    });
    mobile.setDefaultTimeout(TIMEOUT);
    try {
      const m = await mobile.newPage();
      await m.goto(server.base + '/m/');
      await m.waitForURL(/\/login/);
      await signIn(m);
      await m.waitForURL((u) => u.pathname.startsWith('/m'));
      const tabbar = m.locator('[data-testid="m-tabbar"]');
      await tabbar.waitFor();
      const tabs = await tabbar.innerText();
      for (const label of ['首页', '心愿', '活动', '我的']) assert.match(tabs, new RegExp(label));
      await m.locator('[data-testid="m-community-name"]', { hasText: '文华社区' }).waitFor();
      // 300 demo residents plus the 2 imported above.
      await m.locator('[data-testid="m-stat-residents"]', { hasText: /\b30\d\b/ }).waitFor();
      const box = await tabbar.boundingBox();
      assert.ok(box && box.y + box.height <= 740 + 1 && box.width <= 375 + 1, `tab bar at ${JSON.stringify(box)}`);
      const overflow = await m.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `no sideways scrolling (${overflow}px too wide)`);
      await shot(m, '6-mobile-home');
      await m.locator('[data-testid="m-tab-wishes"]').click();
      await m.locator('[data-testid="m-wishes"]').waitFor();
      // Large text works here too.
      await m.locator('[data-testid="m-tab-me"]').click();
      const before = await m.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize));
      await m.locator('[data-testid="m-large-text"]').click();
      await m.waitForFunction(() => document.documentElement.classList.contains('large-text'));
      const after = await m.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize));
      assert.ok(after > before, `root font size ${before}px → ${after}px`);
      await m.locator('[data-testid="m-tab-home"]').click();
      await m.locator('[data-testid="m-community-name"]').waitFor();
      await shot(m, '6-mobile-home-large');
    } finally {
      await mobile.close();
    }
  });
});
