// The volunteer pages (module 2) in headless Chromium against a real linli server
// with the demo community: a resident applies on the phone, staff approve, the
// volunteer signs up for a shift, checks in and out with the coordinator's QR
// code (the server's clock moved 90 minutes), staff approve the hours and the
// phone shows them with the star level; staff issue an hours certificate, print
// it, and the public check page says 有效, then 已撤销 after revoking.
// One screenshot per step goes to a temp folder (printed at the end).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ADMIN, startServer } from './server.mjs';
import { launchBrowser, shot, shotDir } from './browser.mjs';

const TIMEOUT = 15000;
const VOLUNTEER = 'vol-e2e';
const NAME = '张小义';

describe('volunteer pages', () => {
  let server;
  let browser;
  let staffCtx;
  let staff;
  let phoneCtx;
  let phone;
  let volunteerPassword;
  const pageErrors = [];

  before(async () => {
    server = await startServer({ residents: 50 });
    volunteerPassword = server.addUser(VOLUNTEER, 'resident');
    browser = await launchBrowser();
    const common = { locale: 'zh-CN', timezoneId: 'Asia/Shanghai' };
    staffCtx = await browser.newContext({ ...common, viewport: { width: 1366, height: 900 } });
    staffCtx.setDefaultTimeout(TIMEOUT);
    staff = await staffCtx.newPage();
    staff.on('pageerror', (e) => pageErrors.push(`staff: ${e}`));
    phoneCtx = await browser.newContext({
      ...common,
      viewport: { width: 375, height: 740 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
    });
    phoneCtx.setDefaultTimeout(TIMEOUT);
    phone = await phoneCtx.newPage();
    phone.on('pageerror', (e) => pageErrors.push(`phone: ${e}`));
  });

  after(async () => {
    await browser?.close();
    const r = await server?.stop();
    if (r && r.code !== 0 && r.signal === null) console.log(`# linli exited with ${r.code}`);
    console.log(`# screenshots: ${shotDir}`);
  });

  /** Signs in on the login page that `p` shows now. */
  async function signIn(p, login, password) {
    await p.locator('input[name="login"]').fill(login);
    await p.locator('input[name="password"]').fill(password);
    await p.locator('[data-testid="login-submit"]').click();
    await p.waitForURL((u) => !u.pathname.startsWith('/login'));
  }

  const toast = (p, text) => p.locator('.van-toast', { hasText: text }).waitFor();

  async function noSidewaysScroll(p) {
    const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `no sideways scrolling (${overflow}px too wide)`);
  }

  let shiftId;
  let activityPath;
  let qrUrl;

  test('a resident applies on the phone and staff approve in the console', async () => {
    await phone.goto(server.base + '/m/activities');
    await phone.waitForURL(/\/login/);
    await signIn(phone, VOLUNTEER, volunteerPassword);
    await phone.waitForURL((u) => u.pathname === '/m/activities');
    await phone.locator('[data-testid="m-vol-state"] [data-testid="m-apply-link"]').click();
    await phone.waitForURL(/\/m\/volunteer\/apply/);
    await phone.locator('[data-testid="m-apply-name"] input').fill(NAME);
    await phone.locator('[data-testid="m-apply-birth-year"] input').fill('1990');
    await phone.locator('[data-testid="m-apply-skills"] input').fill('摄影、急救');
    await shot(phone, 'v1-apply-form');
    await phone.locator('[data-testid="m-apply-submit"]').click();
    await phone.locator('[data-testid="m-apply-state"]', { hasText: '审核中' }).waitFor();
    await noSidewaysScroll(phone);
    await shot(phone, 'v1-apply-sent');

    await staff.goto(server.base + '/volunteers');
    await staff.waitForURL(/\/login/);
    await signIn(staff, ADMIN, server.password);
    await staff.waitForURL((u) => u.pathname === '/volunteers');
    const table = staff.locator('[data-testid="volunteers-table"]');
    await table.locator('tbody tr').first().waitFor();
    assert.match(await staff.locator('.staff-aside').innerText(), /志愿服务/);
    await staff.locator('[data-testid="vol-status-pending"]').click();
    const row = table.locator('tbody tr', { hasText: NAME });
    await row.waitFor();
    await shot(staff, 'v1-staff-pending');
    await row.locator('[data-testid="vol-approve"]').click();
    await staff.locator('.el-message--success', { hasText: /V\d{5}/ }).waitFor();
    await row.waitFor({ state: 'detached' });
    await staff.locator('[data-testid="vol-status-approved"]').click();
    await staff.locator('input[data-testid="search-input"]').fill(NAME);
    await staff.locator('[data-testid="search-button"]').click();
    await table.locator('tbody tr', { hasText: NAME }).locator('text=已通过').waitFor();
    const csv = await staff.locator('[data-testid="export-csv"]').getAttribute('href');
    assert.match(decodeURIComponent(csv), /\/volunteers\?q=张小义&status=approved&format=csv$/);
  });

  test('after signing in again the volunteer signs up for a shift; clear errors for the others', async () => {
    // Approval gives the volunteer role; the applicant signs in again for it.
    await phone.goto(server.base + '/m/me');
    await phone.locator('button', { hasText: '退出登录' }).click();
    await phone.waitForURL(/\/login/);
    await signIn(phone, VOLUNTEER, volunteerPassword);
    await phone.locator('[data-testid="m-tab-activities"]').click();
    await phone.locator('[data-testid="m-vol-state"]', { hasText: /V\d{5}/ }).waitFor();
    await phone.locator('[data-testid="m-activities"] .van-cell', { hasText: '公益集市' }).first().waitFor();
    await shot(phone, 'v2-activities');

    // The weekly nursing-home service needs a training this volunteer has not had: the toast says which.
    await phone.locator('.van-cell', { hasText: '敬老院恒常服务' }).first().click();
    await phone.waitForURL(/\/m\/activities\/\d+/);
    await phone.locator('[data-testid="m-activity-title"]', { hasText: '敬老院恒常服务' }).waitFor();
    await phone.locator('[data-testid="m-signup"]').first().click();
    await toast(phone, '志愿服务理念培训');
    await shot(phone, 'v2-training-required');

    await phone.goto(server.base + '/m/activities');
    await phone.locator('.van-cell', { hasText: '公益集市' }).first().click();
    await phone.locator('[data-testid="m-activity-title"]', { hasText: '公益集市' }).waitFor();
    activityPath = new URL(phone.url()).pathname;
    const card = phone.locator('[data-testid^="m-shift-"]').first();
    shiftId = (await card.getAttribute('data-testid')).replace('m-shift-', '');
    await card.locator('[data-testid="m-signup"]').click();
    await toast(phone, '报名成功');
    await card.locator('[data-testid="m-my-status"]', { hasText: '已报名' }).waitFor();
    await card.locator('[data-testid="m-cancel"]').waitFor();
    await noSidewaysScroll(phone);
    await shot(phone, 'v2-signed-up');
    // Signing up twice is refused with a clear message (straight to the API, as a double tap would).
    const again = await phone.evaluate(async ([cid, sid]) => {
      const s = await (await fetch('/api/v1/session')).json();
      const r = await fetch(`/api/v1/communities/${cid}/shifts/${sid}/signup`, { method: 'POST', headers: { 'X-CSRF-Token': s.csrf_token } });
      return r.status;
    }, [server.communityId, shiftId]);
    assert.equal(again, 409);
  });

  test('QR check-in, then check-out 90 minutes later; staff approve the hours; the phone shows them', async () => {
    const activityId = activityPath.split('/').pop();
    await staff.goto(`${server.base}/volunteers/activities`);
    await staff.locator('[data-testid="activities-table"] tbody tr', { hasText: '公益集市' }).click();
    await staff.waitForURL(new RegExp(`/volunteers/activities/${activityId}$`));
    await staff.locator('[data-testid="shifts-table"] tbody tr').first().waitFor();
    await staff.goto(`${server.base}/volunteers/activities/${activityId}/shifts/${shiftId}`);
    const roster = staff.locator('[data-testid="roster-table"]');
    await roster.locator('tbody tr', { hasText: NAME }).waitFor();
    await staff.locator('[data-testid="qr-open"]').click();
    await staff.locator('[data-testid="qr-svg"] svg').waitFor();
    qrUrl = (await staff.locator('[data-testid="qr-url"]').innerText()).trim();
    assert.match(qrUrl, /\/m\/checkin\?c=\d+&s=\d+&t=/);
    await staff.waitForTimeout(300); // the dialog's fade-in
    await shot(staff, 'v3-roster-qr');

    // The phone is signed out (a scan from WeChat's browser): the page sends it to the login and back.
    await phoneCtx.clearCookies();
    await phone.goto(qrUrl);
    await phone.waitForURL(/\/login\?redirect=/);
    await signIn(phone, VOLUNTEER, volunteerPassword);
    await phone.locator('[data-testid="m-checkin-headline"]', { hasText: '签到成功' }).waitFor();
    assert.doesNotMatch(phone.url(), /[?&]t=/, 'the token leaves the address after the scan');
    await shot(phone, 'v3-checked-in');

    // 90 minutes later: a fresh code (the first one would have expired) checks out.
    server.setClock(90 * 60);
    await staff.locator('.el-dialog button', { hasText: '立即刷新' }).click();
    await staff.waitForFunction(
      (old) => {
        const el = document.querySelector('[data-testid="qr-url"]');
        return el && el.textContent.trim() && el.textContent.trim() !== old;
      },
      qrUrl,
    );
    const second = (await staff.locator('[data-testid="qr-url"]').innerText()).trim();
    await phone.goto(second);
    await phone.locator('[data-testid="m-checkin-headline"]', { hasText: '签退成功' }).waitFor();
    assert.match(await phone.locator('[data-testid="m-checkin-detail"]').innerText(), /90 分钟/);
    await shot(phone, 'v3-checked-out');
    await staff.keyboard.press('Escape');
    await roster.locator('tbody tr', { hasText: NAME }).locator('text=已完成').waitFor();
    await shot(staff, 'v3-roster-done');

    await staff.goto(`${server.base}/volunteers/hours`);
    const hours = staff.locator('[data-testid="hours-table"]');
    const row = hours.locator('tbody tr', { hasText: NAME });
    await row.waitFor();
    assert.match(await row.innerText(), /1\.5 小时（90 分钟）/);
    await row.locator('.el-checkbox').click();
    await staff.locator('[data-testid="hours-approve"]', { hasText: '（1）' }).click();
    await staff.locator('.el-message--success', { hasText: '已通过 1 条' }).waitFor();
    await row.waitFor({ state: 'detached' });
    await shot(staff, 'v3-hours-approved');

    await phone.goto(server.base + '/m/me');
    const card = phone.locator('[data-testid="m-volunteer-card"]');
    await card.locator('[data-testid="m-vol-hours"]', { hasText: '1.5' }).waitFor();
    assert.match(await card.locator('[data-testid="m-star-words"]').innerText(), /暂未评星|星志愿者/);
    assert.match(await card.locator('[data-testid="m-vol-number"]').innerText(), /^V\d{5}$/);
    await shot(phone, 'v3-me-hours');
    await card.locator('[data-testid="m-my-hours-link"]').click();
    await phone.locator('[data-testid="m-hour-records"] .van-cell', { hasText: '已通过' }).waitFor();
    assert.match(await phone.locator('[data-testid="m-hour-records"]').innerText(), /1\.5 小时（90 分钟）/);
    await shot(phone, 'v3-my-hours');
    await phone.goto(server.base + '/m/volunteer/shifts');
    await phone.locator(`[data-testid="m-shift-${shiftId}"]`, { hasText: '公益集市' }).waitFor();
    await shot(phone, 'v3-my-shifts');
    server.setClock(0);
  });

  test('staff issue a certificate; the public check says 有效, and 已撤销 once revoked', async () => {
    await staff.goto(`${server.base}/volunteers`);
    const table = staff.locator('[data-testid="volunteers-table"]');
    await table.locator('tbody tr').first().waitFor();
    await staff.locator('input[data-testid="search-input"]').fill('V00001');
    await staff.locator('[data-testid="search-button"]').click();
    const row = table.locator('tbody tr', { hasText: 'V00001' });
    await row.waitFor();
    await staff.waitForFunction(() => document.querySelectorAll('[data-testid="volunteers-table"] tbody tr').length === 1);
    await row.locator('[data-testid="vol-certificate"]').click();
    await staff.locator('[data-testid="cert-issue"]').click();
    await staff.waitForURL(/\/certificates\/\d+\/print$/);
    await staff.locator('[data-testid="cert-title"]', { hasText: '志愿服务记录证明' }).waitFor();
    const serial = (await staff.locator('[data-testid="cert-serial"]').innerText()).trim();
    assert.match(serial, /^\d+-\d{4}-\d{6}$/);
    // The printed link and the QR code carry the certificate's key: the details show only with it.
    const verifyUrl = (await staff.locator('[data-testid="cert-verify-url"]').innerText()).trim();
    assert.match(verifyUrl, new RegExp(`/verify/${serial}\\?k=[A-Za-z0-9_-]{22}$`));
    const verifyPath = new URL(verifyUrl).pathname + new URL(verifyUrl).search;
    assert.ok((await staff.locator('[data-testid="cert-activities"] tbody tr').count()) >= 2, 'the services table lists activities');
    await staff.waitForFunction(() => {
      const img = document.querySelector('[data-testid="cert-qr"]');
      return img && img.complete && img.naturalWidth > 0;
    });
    await shot(staff, 'v4-certificate');
    // Printed, it is one A4 page with nothing of the app around it.
    await staff.emulateMedia({ media: 'print' });
    assert.equal(await staff.locator('.print-tools').isVisible(), false);
    await shot(staff, 'v4-certificate-print');
    const pdf = await staff.pdf({ preferCSSPageSize: true, printBackground: true });
    writeFileSync(join(shotDir, 'v4-certificate.pdf'), pdf);
    const pages = pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? [];
    assert.equal(pages.length, 1, 'one page');
    const box = /\/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]/.exec(pdf.toString('latin1'));
    assert.ok(box && Math.abs(Number(box[1]) - 595.3) < 2 && Math.abs(Number(box[2]) - 841.9) < 2, `A4 (${box && box.slice(1)})`);
    await staff.emulateMedia({ media: 'screen' });

    // The public check, in a browser that never signed in.
    const stranger = await browser.newContext({ viewport: { width: 375, height: 740 }, isMobile: true, locale: 'zh-CN' });
    stranger.setDefaultTimeout(TIMEOUT);
    try {
      const p = await stranger.newPage();
      p.on('pageerror', (e) => pageErrors.push(`public: ${e}`));
      // A serial typed in without the key: valid, and nothing of what the certificate says.
      await p.goto(`${server.base}/verify/${serial}`);
      await p.locator('[data-testid="verify-status"]', { hasText: '有效' }).waitFor();
      assert.equal(await p.locator('[data-testid="verify-fields"]').count(), 0, 'no details without the key');
      await p.goto(`${server.base}${verifyPath}`);
      await p.locator('[data-testid="verify-fields"]').waitFor();
      await p.locator('[data-testid="verify-status"]', { hasText: '有效' }).waitFor();
      assert.equal(new URL(p.url()).pathname, `/verify/${serial}`, 'no login needed');
      assert.match(await p.locator('[data-testid="verify-fields"]').innerText(), /V00001/);
      await shot(p, 'v4-verify-valid');
      await p.locator('[data-testid="verify-lang"]').click();
      await p.locator('[data-testid="verify-status"]', { hasText: 'Valid' }).waitFor();
      await p.locator('[data-testid="verify-lang"]').click();
      await p.locator('[data-testid="verify-status"]', { hasText: '有效' }).waitFor();

      await staff.locator('[data-testid="cert-revoke"]').click();
      await staff.locator('input[data-testid="revoke-reason"]').fill('信息有误，重新开具');
      await staff.locator('[data-testid="revoke-save"]').click();
      await staff.locator('[data-testid="cert-state"]', { hasText: '已撤销' }).waitFor();
      await shot(staff, 'v4-certificate-revoked');

      await p.reload();
      await p.locator('[data-testid="verify-status"]', { hasText: '已撤销' }).waitFor();
      await shot(p, 'v4-verify-revoked');
      await p.goto(`${server.base}/verify/1-2000-999999`);
      await p.locator('[data-testid="verify-status"]', { hasText: '无效' }).waitFor();
    } finally {
      await stranger.close();
    }
  });

  test('the public honour roll and the volunteer\'s own certificates', async () => {
    const anon = await browser.newContext({ locale: 'zh-CN', viewport: { width: 375, height: 740 } });
    const p = await anon.newPage();
    p.on('pageerror', (e) => pageErrors.push(`board: ${e}`));
    await p.goto(`${server.base}/leaderboard`);
    await p.locator('[data-testid="board-list"] .van-cell').first().waitFor();
    assert.ok((await p.locator('[data-testid="board-list"] .van-cell').count()) >= 5);
    await p.getByText('志愿服务光荣榜').first().waitFor();
    await shot(p, 'v9-leaderboard');
    await anon.close();
    // Staff issue a certificate for the phone's volunteer; it shows among their own.
    await staff.goto(`${server.base}/volunteers`);
    const table = staff.locator('[data-testid="volunteers-table"]');
    await table.locator('tbody tr').first().waitFor();
    await staff.locator('input[data-testid="search-input"]').fill(NAME);
    await staff.locator('[data-testid="search-button"]').click();
    const row = table.locator('tbody tr', { hasText: NAME });
    await row.waitFor();
    await row.locator('[data-testid="vol-certificate"]').click();
    await staff.locator('[data-testid="cert-issue"]').click();
    await staff.waitForURL(/\/certificates\/\d+\/print$/);
    await phone.goto(`${server.base}/m/volunteer/hours`);
    await phone.locator('[data-testid="m-certificates"]').waitFor();
    await phone.locator('[data-testid="m-certificates"] .van-cell').first().click();
    await phone.locator('[data-testid="verify-status"]').waitFor();
    await shot(phone, 'v10-my-certificate');
  });

  test('the volunteer pages follow the language switch and large text', async () => {
    await staff.goto(`${server.base}/volunteers/awards`);
    await staff.locator('[data-testid="awards-table"] tbody tr').first().waitFor();
    assert.match(await staff.locator('[data-testid="awards-xlsx"]').getAttribute('href'), /\/volunteers\/awards\?year=\d{4}&format=xlsx$/);
    await staff.locator('[data-testid="lang-en"]').click();
    await staff.locator('.staff-aside', { hasText: 'Annual awards' }).waitFor();
    await staff.locator('.page-title', { hasText: 'Annual awards' }).waitFor();
    await shot(staff, 'v5-awards-english');
    await staff.locator('[data-testid="lang-zh"]').click();
    await staff.locator('.page-title', { hasText: '年度嘉奖' }).waitFor();

    await phone.goto(server.base + '/m/me');
    await phone.locator('[data-testid="m-large-text"]').click();
    await phone.waitForFunction(() => document.documentElement.classList.contains('large-text'));
    await phone.locator('[data-testid="m-tab-activities"]').click();
    const title = phone.locator('[data-testid="m-activities"] .van-cell', { hasText: '公益集市' }).first();
    await title.waitFor();
    const big = await title.evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    await noSidewaysScroll(phone);
    await shot(phone, 'v5-activities-large-text');
    await phone.locator('[data-testid="m-tab-me"]').click();
    await phone.locator('[data-testid="m-large-text"]').click();
    await phone.waitForFunction(() => !document.documentElement.classList.contains('large-text'));
    await phone.locator('[data-testid="m-tab-activities"]').click();
    await title.waitFor();
    const normal = await title.evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    assert.ok(big > normal, `large text: ${normal}px → ${big}px`);
    assert.deepEqual(pageErrors, []);
  });
});
