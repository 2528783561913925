// Micro-wishes and the community fund in headless Chromium against a real linli
// server with the demo community: a paper-form wish from intake (the
// de-identification error on its story, fixed) through review to the public wall,
// claimed by a resident with the pledge, contact and fulfilment recorded by staff,
// fulfilled on the wall; and the public fund page verifying the whole ledger in
// the browser. One screenshot per step goes to a temp folder (printed at the end).
// The server comes from tests/api/harness.mjs, which also adds accounts (linli user add).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer } from '../api/harness.mjs';
import { ADMIN } from './server.mjs';
import { launchBrowser, shot, shotDir } from './browser.mjs';

const TIMEOUT = 15000;
const DONOR = { login: 'donor-e2e', password: 'donor-e2e-pass-1', name: '居民甲' };

describe('micro-wishes and the fund', () => {
  let server;
  let browser;
  let staff; // the staff console, signed in as admin
  let visitor; // a phone, not signed in (WeChat-sized)
  let wishId = null;
  const pageErrors = [];

  before(async () => {
    server = await startServer({ residents: 50 });
    const pw = join(server.dir, 'pw-donor');
    writeFileSync(pw, DONOR.password + '\n');
    const add = server.cli(['user', 'add', '--login', DONOR.login, '--name', DONOR.name, '--password-file', pw, '--role', 'resident', '--community', String(server.communityId)]);
    assert.equal(add.status, 0, add.stderr);
    browser = await launchBrowser();
    const desk = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN' });
    desk.setDefaultTimeout(TIMEOUT);
    staff = await desk.newPage();
    staff.on('pageerror', (e) => pageErrors.push(String(e)));
    const phone = await browser.newContext({ viewport: { width: 375, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN' });
    phone.setDefaultTimeout(TIMEOUT);
    visitor = await phone.newPage();
    visitor.on('pageerror', (e) => pageErrors.push(String(e)));
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    console.log(`# screenshots: ${shotDir}`);
  });

  async function signIn(p, login, password) {
    await p.locator('input[name="login"]').fill(login);
    await p.locator('input[name="password"]').fill(password);
    await p.locator('[data-testid="login-submit"]').click();
    await p.waitForURL((u) => !u.pathname.startsWith('/login'));
  }

  const input = (p, id) => p.locator(`input[data-testid="${id}"], [data-testid="${id}"] input`).first();
  const textarea = (p, id) => p.locator(`textarea[data-testid="${id}"], [data-testid="${id}"] textarea`).first();

  test('a paper-form wish goes from intake to the wall, is claimed, contacted and fulfilled', async () => {
    // 1. Staff key in the paper form; the story gives away a phone number.
    await staff.goto(server.base + '/wishes/intake');
    await staff.waitForURL(/\/login/);
    await signIn(staff, ADMIN, server.password);
    await staff.waitForURL(/\/wishes\/intake/);
    await input(staff, 'intake-serial').fill('WX-E2E-001');
    // A photo of the signed form: a real (tiny) PNG, uploaded with the wish.
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
    await staff.locator('[data-testid="intake-photo-file"]').setInputFiles({ name: 'wx-e2e-001.png', mimeType: 'image/png', buffer: png });
    await input(staff, 'intake-title').fill('一台电风扇');
    await textarea(staff, 'intake-story').fill('独居长者，电话13912345678，夏天家里很热，想要一台电风扇。');
    await input(staff, 'intake-estimated').fill('180');
    await input(staff, 'intake-name').fill('梁秀英');
    await input(staff, 'intake-contact').fill('13912345678');
    await input(staff, 'intake-address').fill('文华花园 3栋502');
    await staff.locator('[data-testid="intake-consent"]').click();
    await shot(staff, 'w1-intake-form');
    await staff.locator('[data-testid="intake-save"]').click();
    await staff.locator('[data-testid="intake-created"]', { hasText: '一台电风扇' }).waitFor();
    await staff.locator('[data-testid="intake-open-created"]').click();
    await staff.waitForURL(/\/wishes\/\d+$/);
    wishId = Number(new URL(staff.url()).pathname.split('/').pop());
    assert.ok(wishId > 0);
    assert.equal(await staff.locator('[data-testid="wish-detail-status"]').getAttribute('data-status'), 'submitted');
    await staff.waitForFunction(() => {
      const img = document.querySelector('[data-testid="wish-form-photo"] img');
      return img && img.complete && img.naturalWidth === 1;
    });

    // 2. The review queue: verify by phone, then publish — refused while the story has the phone number.
    await staff.goto(server.base + '/wishes/review');
    await staff.locator(`[data-testid="review-verify-${wishId}"]`).click();
    await staff.locator('[data-testid="verify-phone"]').click();
    await staff.locator('[data-testid="review-save"]').click();
    await staff.locator('.el-message--success').first().waitFor();
    await staff.locator(`[data-testid="review-publish-${wishId}"]`).click();
    const storyItem = staff.locator('[data-testid="publish-story-item"]');
    await storyItem.waitFor();
    await staff.locator('[data-testid="review-save"]').click();
    const storyError = storyItem.locator('.el-form-item__error');
    await storyError.waitFor();
    assert.match(await storyError.innerText(), /手机号/);
    await staff.waitForTimeout(300); // the dialog's fade-in
    await shot(staff, 'w2-publish-deid-error');
    await textarea(staff, 'publish-story').fill('独居长者，夏天家里很热，想要一台电风扇。');
    await staff.locator('[data-testid="review-save"]').click();
    await storyItem.waitFor({ state: 'hidden' });
    await staff.locator(`[data-testid="review-publish-${wishId}"]`).waitFor({ state: 'detached' });
    await shot(staff, 'w3-review-queue-after-publish');

    // 3. A visitor who is not signed in sees it on the wall, open for claims.
    await visitor.goto(server.base + '/wall');
    const card = visitor.locator(`[data-testid="wish-card-${wishId}"]`);
    await card.waitFor();
    assert.equal(await card.getAttribute('data-status'), 'published');
    const cardText = await card.innerText();
    assert.match(cardText, /一台电风扇/);
    assert.match(cardText, /¥180\.00/);
    assert.doesNotMatch(cardText, /梁秀英|13912345678|502/);
    assert.match(await visitor.locator('[data-testid="wall-counts"]').innerText(), /待认领/);
    const overflow = await visitor.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `no sideways scrolling on the wall (${overflow}px too wide)`);
    await shot(visitor, 'w4-wall-anonymous');

    // 4. The claim button sends them to sign in and back; the pledge dialog opens; they claim it.
    await visitor.locator(`[data-testid="wish-claim-${wishId}"]`).click();
    await visitor.waitForURL(/\/login\?redirect=/);
    await signIn(visitor, DONOR.login, DONOR.password);
    await visitor.waitForURL((u) => u.pathname === '/wall' && u.searchParams.get('claim') === String(wishId));
    const dialog = visitor.locator('.van-dialog');
    await dialog.waitFor();
    assert.match(await dialog.innerText(), /我承诺在 7 天内通过社区与受助人联系/);
    await visitor.locator('[data-testid="claim-pledge"]').click();
    await visitor.waitForTimeout(300);
    await shot(visitor, 'w5-pledge-dialog');
    await dialog.locator('.van-dialog__confirm').click();
    await dialog.waitFor({ state: 'hidden' });
    await visitor.locator(`[data-testid="wish-card-${wishId}"][data-status="claimed"]`).waitFor();
    assert.match(await card.locator('[data-testid="wish-donor"]').innerText(), /^居\*+$/);
    await shot(visitor, 'w6-wall-claimed');

    // 5. Staff record the donor's contact, look at the sealed details (audited), and record the goods.
    await staff.goto(server.base + `/wishes/${wishId}`);
    await staff.locator('[data-testid="wish-detail-status"][data-status="claimed"]').waitFor();
    assert.match(await staff.locator('[data-testid="claims-table"]').innerText(), /居\*+/);
    await staff.locator('[data-testid="show-private"]').click();
    await staff.locator('[data-testid="private-notice"]', { hasText: '审计' }).waitFor();
    assert.match(await staff.locator('[data-testid="private-details"]').innerText(), /梁秀英/);
    await staff.locator('[data-testid="detail-contact"]').click();
    await staff.locator('.el-message-box .el-button--primary').click();
    await staff.locator('[data-testid="detail-contact"]', { hasText: '已联系' }).waitFor();
    await staff.locator('[data-testid="detail-fulfil"]').click();
    await staff.locator('[data-testid="fulfil-goods"]').click();
    await staff.locator('[data-testid="fulfil-save"]').click();
    await staff.locator('[data-testid="wish-detail-status"][data-status="fulfilled"]').waitFor();
    await staff.locator('[data-testid="fulfil-dialog"]').waitFor({ state: 'hidden' });
    await shot(staff, 'w7-detail-fulfilled');

    // 6. The wall shows it fulfilled.
    await visitor.goto(server.base + '/wall');
    await visitor.locator(`[data-testid="wish-card-${wishId}"][data-status="fulfilled"]`).waitFor();
    assert.match(await visitor.locator(`[data-testid="wish-card-${wishId}"] [data-testid="wish-status"]`).innerText(), /已实现/);
    await shot(visitor, 'w8-wall-fulfilled');
  });

  test('the public fund page shows the balance and verifies the whole ledger in the browser', async () => {
    const context = await browser.newContext({ viewport: { width: 375, height: 740 }, deviceScaleFactor: 2, isMobile: true, locale: 'zh-CN' });
    context.setDefaultTimeout(TIMEOUT);
    try {
      const p = await context.newPage();
      p.on('pageerror', (e) => pageErrors.push(String(e)));
      await p.goto(server.base + '/fund');
      assert.equal(new URL(p.url()).pathname, '/fund', 'no login needed');
      const balance = p.locator('[data-testid="fund-balance"]');
      await balance.waitFor();
      const text = (await balance.innerText()).trim();
      const m = /^¥([\d,]+)\.(\d\d)$/.exec(text);
      assert.ok(m, `balance ${text}`);
      const fen = Number(m[1].replace(/,/g, '')) * 100 + Number(m[2]);
      assert.ok(fen >= 412650, `the demo's ¥4,126.50 or more, got ${text}`);
      const summary = await (await fetch(`${server.base}/api/v1/communities/${server.communityId}/fund`)).json();
      assert.equal(fen, summary.balance_fen);
      const result = p.locator('[data-testid="chain-result"]');
      await result.waitFor();
      assert.equal((await result.innerText()).trim(), `✓ 账本完整（${summary.entries} 笔）`);
      assert.ok(summary.entries >= 16, 'the demo 14 and the two in-kind entries of the wish above');
      await p.locator('[data-testid="balance-chart"] canvas').waitFor();
      assert.match(await p.locator('[data-testid="fund-rules"]').innerText(), /管理制度/);
      assert.match(await p.locator('[data-testid="fund-entries"]').innerText(), /微心愿实物发放：一台电风扇/);
      const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `no sideways scrolling (${overflow}px too wide)`);
      await p.waitForTimeout(800); // the chart's entry animation
      await shot(p, 'f1-fund-public');
      // The language switch works here too.
      await p.locator('[data-testid="public-lang"]').click();
      await p.locator('[data-testid="chain-result"]', { hasText: `The ledger is whole (${summary.entries} entries)` }).waitFor();
      await shot(p, 'f2-fund-public-en');
      await p.locator('[data-testid="public-lang"]').click();
      await p.locator('[data-testid="chain-result"]', { hasText: '账本完整' }).waitFor();
    } finally {
      await context.close();
    }
    assert.deepEqual(pageErrors, []);
  });
});
