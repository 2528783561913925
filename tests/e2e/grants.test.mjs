// Micro-venture grants (微创投) in headless Chromium against a real linli server
// with the demo community: staff generate household voting codes (and the
// printable sheet); a resident on a 375px phone signs in, redeems a code (a wrong
// one first), votes with the confirmation, and the live count on the round's
// public page moves by one without a reload; then a small round made through the
// API is closed by moving the server's clock, published from the staff console,
// and the public results page shows the ranking with every component and the
// funded marks. One screenshot per step goes to a temp folder (printed at the end).
// The server comes from tests/api/harness.mjs (accounts through linli user add,
// the test clock through LINLI_TEST_CLOCK_FILE).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, startServer } from '../api/harness.mjs';
import { ADMIN } from './server.mjs';
import { launchBrowser, shot, shotDir } from './browser.mjs';

const TIMEOUT = 15000;
const VOTER = { login: 'voter-e2e', password: 'voter-e2e-pass-1' };
const EXPERT = { login: 'expert-e2e', password: 'expert-e2e-pass-1' };
const COLLEAGUE = { login: 'colleague-e2e', password: 'colleague-e2e-pass-1' };

describe('micro-venture grants', () => {
  let server;
  let browser;
  let staff; // the staff console, signed in as admin (1366px)
  let phone; // the resident's phone (375px)
  let watcher; // another phone watching the round's page, never reloaded
  let admin; // API client as admin
  let C;
  const pageErrors = [];

  function addAccount(who, role) {
    const pw = join(server.dir, `pw-${who.login}`);
    writeFileSync(pw, who.password + '\n');
    const r = server.cli(['user', 'add', '--login', who.login, '--password-file', pw, '--role', role, '--community', String(server.communityId)]);
    assert.equal(r.status, 0, r.stderr);
  }

  before(async () => {
    server = await startServer({ residents: 50 });
    addAccount(VOTER, 'resident');
    addAccount(EXPERT, 'reviewer');
    addAccount(COLLEAGUE, 'staff');
    admin = new Client(server.base);
    await admin.login(ADMIN, server.password);
    C = `/api/v1/communities/${server.communityId}`;
    browser = await launchBrowser();
    const desk = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN' });
    desk.setDefaultTimeout(TIMEOUT);
    staff = await desk.newPage();
    staff.on('pageerror', (e) => pageErrors.push(String(e)));
    const phoneOpts = { viewport: { width: 375, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN' };
    const ctxA = await browser.newContext(phoneOpts);
    ctxA.setDefaultTimeout(TIMEOUT);
    phone = await ctxA.newPage();
    phone.on('pageerror', (e) => pageErrors.push(String(e)));
    const ctxB = await browser.newContext(phoneOpts);
    ctxB.setDefaultTimeout(TIMEOUT);
    watcher = await ctxB.newPage();
    watcher.on('pageerror', (e) => pageErrors.push(String(e)));
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
  const liveVotes = async (p, pid) => Number((await p.locator(`[data-testid="live-votes-${pid}"]`).innerText()).trim());

  test('codes are generated and printed; a resident redeems one, votes, and the live count moves', async () => {
    const rounds = (await admin.get(`${C}/grant-rounds`)).data.items;
    const round = rounds.find((r) => r.phase === 'voting');
    assert.ok(round, 'the demo has a round in voting');
    const proposals = (await admin.get(`${C}/grant-rounds/${round.id}/proposals`)).data.items;
    const pick = proposals[1];

    // 1. Staff generate 6 codes from the console and open the printable sheet.
    await staff.goto(`${server.base}/grants/rounds`);
    await staff.waitForURL(/\/login/);
    await signIn(staff, ADMIN, server.password);
    await staff.waitForURL(/\/grants\/rounds$/);
    await staff.locator('[data-testid="nav-grants"]').waitFor();
    await staff.locator(`[data-testid="grant-manage-${round.id}"]`).click();
    await staff.waitForURL(new RegExp(`/grants/rounds/${round.id}$`));
    await staff.locator('.el-tabs__item', { hasText: '投票' }).first().click();
    await input(staff, 'codes-count').fill('6');
    await staff.locator('[data-testid="codes-generate"]').click();
    await staff.locator('[data-testid="codes-list"] li').nth(5).waitFor();
    const codes = (await staff.locator('[data-testid="codes-list"] li').allInnerTexts()).map((s) => s.trim());
    assert.equal(codes.length, 6);
    assert.equal(new Set(codes).size, 6);
    await shot(staff, 'g1-staff-codes');
    await staff.locator('[data-testid="codes-print"]').click();
    await staff.waitForURL(new RegExp(`/grants/${round.id}/codes$`));
    await staff.locator('[data-testid="code-card"]').nth(5).waitFor();
    assert.equal((await staff.locator('[data-testid="code-card"]').first().innerText()).trim(), codes[0]);
    await shot(staff, 'g2-codes-sheet');

    // 2. Someone watches the round's public page (no login) with its live count.
    await watcher.goto(`${server.base}/grants/${round.id}`);
    await watcher.locator(`[data-testid="live-votes-${pick.id}"]`).waitFor();
    const before = await liveVotes(watcher, pick.id);
    await watcher.locator('[data-testid="grant-formula"]', { hasText: '70%' }).waitFor();

    // 3. A resident on a phone: sign in from the round's page, a wrong code, the right one, vote.
    await phone.goto(`${server.base}/grants/${round.id}`);
    await phone.locator('[data-testid="vote-login"]').click();
    await phone.waitForURL(/\/login/);
    await signIn(phone, VOTER.login, VOTER.password);
    await phone.waitForURL(new RegExp(`/grants/${round.id}$`));
    await input(phone, 'vote-code').fill('NOPE-0000');
    await phone.locator('[data-testid="vote-redeem"]').click();
    await phone.locator('[data-testid="vote-code"]', { hasText: '投票码不正确' }).waitFor();
    await shot(phone, 'g3-phone-wrong-code');
    await input(phone, 'vote-code').fill(codes[0]);
    await phone.locator('[data-testid="vote-redeem"]').click();
    await phone.locator(`[data-testid="vote-choice-${pick.id}"]`).waitFor();
    await phone.locator(`[data-testid="vote-choice-${pick.id}"]`).click();
    await phone.locator('[data-testid="vote-submit"]').click();
    const dialog = phone.locator('.grant-vote-confirm');
    await dialog.waitFor();
    assert.match(await dialog.innerText(), /投票后不可更改/);
    assert.match(await dialog.innerText(), new RegExp(pick.title));
    await phone.waitForTimeout(300);
    await shot(phone, 'g4-phone-confirm');
    await dialog.locator('.van-dialog__confirm').click();
    await phone.locator('[data-testid="vote-done"]').waitFor();
    await shot(phone, 'g5-phone-voted');

    // The same code on another account is refused with a clear message.
    const other = new Client(server.base);
    await other.login(EXPERT.login, EXPERT.password);
    assert.equal((await other.post(`${C}/voting-codes/redeem`, { code: codes[0] })).status, 409);

    // 4. The watcher's count moves from N to N+1 without a reload (EventSource reconnects every 3 s).
    await watcher.waitForFunction(
      ([pid, n]) => Number(document.querySelector(`[data-testid="live-votes-${pid}"]`)?.textContent?.trim()) === n,
      [pick.id, before + 1],
      { timeout: 10000 },
    );
    assert.equal(await liveVotes(watcher, pick.id), before + 1);
    await shot(watcher, 'g6-live-count');
  });

  test('staff publish the results of a closed round; the public page shows the ranking and funded marks', async () => {
    // A small round through the API: three proposals, one reviewer, one vote.
    const now = Math.floor(Date.now() / 1000);
    const orgs = (await admin.get(`${C}/organisations?limit=100`)).data.items;
    const r = await admin.post(`${C}/grant-rounds`, {
      name: 'E2E 测试轮次', budget_fen: 1000000, max_award_fen: 600000, submission_ends: now + 60, voting_opens: now + 120,
      voting_closes: now + 600, min_expert: 60,
    });
    assert.equal(r.status, 201, r.text);
    const round = r.data;
    const props = [];
    for (const [i, title, fen] of [[0, '楼道美化', 500000], [1, '长者午餐', 400000], [2, '亲子阅读', 300000]]) {
      const p = await admin.post(`${C}/grant-rounds/${round.id}/proposals`, { organisation_id: orgs[i].id, title, summary: `${title}项目`,
        requested_fen: fen, budget_lines: [{ item: '活动经费', fen }] });
      assert.equal(p.status, 201, p.text);
      props.push(p.data);
    }
    server.setClock(70); // submissions closed: eligibility
    // Another staff member rules on eligibility: nobody rules on a proposal they submitted.
    const colleague = new Client(server.base);
    assert.equal((await colleague.login(COLLEAGUE.login, COLLEAGUE.password)).status, 200);
    for (const p of props) assert.equal((await colleague.post(`${C}/grant-rounds/${round.id}/proposals/${p.id}/eligibility`, { eligible: true })).status, 200);
    assert.equal((await admin.post(`${C}/grant-rounds/${round.id}/phase`, { phase: 'scoring' })).status, 200);
    const expert = new Client(server.base);
    const es = await expert.login(EXPERT.login, EXPERT.password);
    assert.equal((await admin.post(`${C}/grant-rounds/${round.id}/reviewers`, { account_id: es.data.account.id })).status, 201);
    for (const [p, n] of [[props[0], 9], [props[1], 8], [props[2], 5]]) {
      const s = await expert.post(`${C}/grant-rounds/${round.id}/proposals/${p.id}/scores`, { scores: { need: n, feasibility: n, participation: n, budget: n }, comment: '' });
      assert.equal(s.status, 200, s.text);
    }
    server.setClock(130); // voting opens on its date
    const code = (await admin.post(`${C}/grant-rounds/${round.id}/voting-codes`, { count: 1 })).data.codes[0];
    const voter = new Client(server.base);
    await voter.login(VOTER.login, VOTER.password);
    assert.equal((await voter.post(`${C}/voting-codes/redeem`, { code })).status, 200);
    assert.equal((await voter.post(`${C}/grant-rounds/${round.id}/votes`, { proposal_ids: [props[1].id] })).status, 201);
    server.setClock(700); // past voting_closes

    // Staff preview and publish from the console.
    await staff.goto(`${server.base}/grants/rounds/${round.id}`);
    await staff.locator('[data-testid="grant-round-title"]', { hasText: 'E2E 测试轮次' }).waitFor();
    await staff.locator('.el-tabs__item', { hasText: '结果' }).first().click();
    await staff.locator('[data-testid="results-table"] tbody tr').nth(2).waitFor();
    await staff.locator('[data-testid="results-state"]', { hasText: '预览' }).waitFor();
    await shot(staff, 'g7-staff-preview');
    await staff.locator('[data-testid="results-publish"]').click();
    await staff.locator('.el-message-box__btns .el-button--primary').click();
    await staff.locator('[data-testid="results-publish"]').waitFor({ state: 'detached' });
    await staff.locator('[data-testid="results-state"]', { hasText: '已公布' }).waitFor();

    // The public results page (a phone, signed in as the resident).
    await phone.goto(`${server.base}/grants/${round.id}/results`);
    const list = phone.locator('[data-testid="results-list"]');
    await list.locator('article').nth(2).waitFor();
    const titles = await list.locator('article .title').allInnerTexts();
    // expert 90 / 80 / 50; votes 0 / 1 / 0 → final 63 / 86 / 35: 长者午餐 first; 亲子阅读 below the minimum expert score.
    assert.deepEqual(titles.map((s) => s.trim()), ['长者午餐', '楼道美化', '亲子阅读']);
    const funded = (await list.locator('[data-testid="result-funded"]').allInnerTexts()).map((s) => s.trim());
    assert.deepEqual(funded, ['获资助', '获资助', '未获资助']);
    assert.equal((await list.locator('[data-testid="result-expert"]').first().innerText()).trim(), '80');
    assert.match(await list.locator('[data-testid="result-reviewers"]').first().innerText(), /80/);
    assert.equal((await list.locator('[data-testid="result-votes"]').first().innerText()).trim(), '1');
    assert.equal((await list.locator('[data-testid="result-final"]').first().innerText()).trim(), '86');
    assert.equal((await list.locator('[data-testid="result-award"]').first().innerText()).trim(), '¥4,000.00');
    await phone.locator('[data-testid="results-formula"]', { hasText: '70%' }).waitFor();
    await shot(phone, 'g8-public-results');
    // The language switch keeps working on the public page.
    await phone.locator('[data-testid="public-lang"]').click();
    await list.locator('[data-testid="result-funded"]', { hasText: 'Not funded' }).waitFor();
    await shot(phone, 'g9-public-results-en');
    await phone.locator('[data-testid="public-lang"]').click();
    server.setClock(0);
    assert.deepEqual(pageErrors, []);
  });
});
