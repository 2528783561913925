// Class test of issue #11: a rule cannot be loosened by the people it binds. Every setting that
// governs money, approvals or limits is in SETTINGS below, with who it binds, the permission that
// changes it, what a loosening needs and its bounds; each is tried (a) by the person it binds
// alone, (b) by a role without the permission and (c) with absurd values. The last test reads the
// OpenAPI document and fails on any settings-like route or limit-like body field the table does
// not classify, so a new setting must be put here (and thought about) before it ships.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, account, assertCleanExit } from './harness.mjs';

// How a loosening is handled:
//   pending  — the change waits (202) until someone else approves it; the proposer cannot approve it
//   fixed    — set once when the thing is created; no route changes it afterwards
//   constant — in the code; no route changes it at all
//   none     — not a rule binding anyone (a page size, a document, seats of a shift)
const SETTINGS = [
  { route: 'PUT /fund/settings', fields: ['threshold_fen', 'approvals_needed'], loosen: 'pending',
    binds: 'staff who pay out or reverse (fund.write): above the threshold, or past it in one China day (the split-payment rule), a second person approves',
    permission: 'fund.settings', approve: 'fund.approve, never the proposer (403 own_settings_change)',
    bounds: 'threshold_fen 0…10^8, approvals_needed 1…5' },
  { route: 'PUT /wish-settings', fields: ['max_open_claims'], loosen: 'pending',
    binds: 'every donor account, staff\'s own claims included (wishes.claim)',
    permission: 'wishes.settings', approve: 'a raise applies when another wishes.settings holder PUTs the same value (403 own_settings_change for the proposer)',
    bounds: 'max_open_claims 1…100' },
  { route: 'PUT /volunteer-settings', fields: ['star_thresholds'], loosen: 'pending',
    binds: 'volunteers\' star levels, staff who volunteer included',
    permission: 'volunteers.settings', approve: 'a lowering applies when another volunteers.settings holder PUTs the same thresholds (403 own_settings_change for the proposer)',
    bounds: 'five increasing whole hours, 1…100000' },
  { route: 'POST /fund/rules', fields: ['markdown'], loosen: 'none',
    binds: 'nobody by the server: the published text of the fund\'s 制度, every version kept and public',
    permission: 'fund.settings', bounds: 'markdown 1…50000 characters' },
  { route: 'POST /grant-rounds', fields: ['max_award_fen', 'min_expert', 'budget_fen', 'expert_weight', 'public_weight', 'approval_k', 'knapsack_fen', 'rubric', 'voting_rule'],
    loosen: 'fixed', binds: 'proposers (max award), reviewers and the selection (minimum expert score, weights)',
    permission: 'grants.manage', bounds: 'money 0…10^12 fen, weights 0…100 summing to 100, min_expert 0…100, approval_k 0…20' },
  { route: 'POST /grant-rounds/{round_id}/phase', fields: ['phase'], loosen: 'fixed',
    binds: 'when proposals, scores and votes are taken: phases move forward only and the dates are fixed at creation',
    permission: 'grants.manage', bounds: 'a later phase only (409 phase_backwards), one of the named phases (422)' },
  { route: 'POST /activities', fields: ['grace_minutes'], loosen: 'fixed',
    binds: 'the minutes a check-out may count beyond the shift', permission: 'volunteers.manage', bounds: 'grace_minutes 0…240' },
  { route: 'POST /activities/{activity_id}/shifts', fields: ['capacity'], loosen: 'none',
    binds: 'nobody (the seats of a shift)', permission: 'volunteers.manage', bounds: 'capacity 0…10000' },
  { route: 'POST /hours', fields: ['minutes'], loosen: 'constant', binds: 'the daily cap VOL_DAY_MAX_MINUTES (960) at approval',
    permission: 'volunteers.self', bounds: 'minutes 1…1440 (pending until approved)' },
  { route: 'POST /hours/entries', fields: ['minutes'], loosen: 'constant', binds: 'the daily cap (960 a China day), never on one\'s own record',
    permission: 'volunteers.manage', bounds: '422 past the day\'s cap' },
  { route: 'POST /hours/{hour_id}/correct', fields: ['minutes'], loosen: 'constant', binds: 'the daily cap, never on one\'s own record',
    permission: 'volunteers.manage', bounds: '422 past the day\'s cap' },
  { route: 'POST /people/unmask', fields: ['limit'], loosen: 'none', binds: 'nobody (a page size; the number-search throttle is a constant)',
    permission: 'people.unmask', bounds: 'limit ≤ 100' },
  // Throttles: constants in src/auth and the modules; no route changes them (the scan below would
  // find one that did).
  { route: 'constant: login throttle (auth/ratelimit)', loosen: 'constant', binds: 'everyone logging in' },
  { route: 'constant: voting-code redemption throttle', loosen: 'constant', binds: 'voters' },
  { route: 'constant: certificate check throttle', loosen: 'constant', binds: 'the public' },
  { route: 'constant: exact number search throttle', loosen: 'constant', binds: 'people.unmask holders' },
];

let srv, admin, C, staffA, staffB, sw, resident, volunteerStaff;
before(async () => {
  srv = await startServer({ residents: 20 });
  admin = new Client(srv.base);
  assert.equal((await admin.login('admin', srv.password)).status, 200);
  C = `/api/v1/communities/${srv.communityId}`;
  staffA = await account(srv, 'rules-staff-a', 'staff');
  staffB = await account(srv, 'rules-staff-b', 'staff');
  sw = await account(srv, 'rules-sw', 'social_worker');
  resident = await account(srv, 'rules-resident', 'resident');
  volunteerStaff = staffA;
});
after(async () => { if (srv) assertCleanExit(assert, await srv.stop()); });

const put = (who, path, json) => who.req('PUT', `${C}${path}`, { json });
const auditActions = (entity) => srv.sql(`SELECT action FROM audit_log WHERE community_id = ${srv.communityId} AND entity = '${entity}' ORDER BY seq`)
  .split('\n').filter(Boolean);

test('the table names who each setting binds and what a loosening needs', () => {
  for (const s of SETTINGS) {
    assert.ok(['pending', 'fixed', 'constant', 'none'].includes(s.loosen), s.route);
    assert.ok(s.binds, `${s.route}: who it binds`);
    if (!s.route.startsWith('constant')) assert.ok(s.permission && s.bounds, `${s.route}: permission and bounds`);
    if (s.loosen === 'pending') assert.ok(s.approve, `${s.route}: who approves`);
  }
});

// ---- fund settings: the two-person rule ----

test('fund settings: staff who pay out cannot loosen the two-person rule alone', async () => {
  const s0 = (await staffA.get(`${C}/fund/settings`)).data;
  for (const change of [{ threshold_fen: s0.threshold_fen * 10, approvals_needed: s0.approvals_needed },
    { threshold_fen: s0.threshold_fen, approvals_needed: 2 }]) {
    if (change.approvals_needed === 2) {
      // Raising the approvals is a tightening: at once. Then lowering it back is the loosening.
      const up = await put(staffA, '/fund/settings', change);
      assert.equal(up.status, 200, up.text);
      change.approvals_needed = 1;
    }
    const before = (await staffA.get(`${C}/fund/settings`)).data;
    const r = await put(staffA, '/fund/settings', change);
    assert.equal(r.status, 202, `${JSON.stringify(change)}: ${r.text}`);
    assert.deepEqual([r.data.threshold_fen, r.data.approvals_needed], [before.threshold_fen, before.approvals_needed], 'the rule in force is unchanged');
    const own = await staffA.post(`${C}/fund/settings/changes/${r.data.pending.id}/approve`);
    assert.equal(own.status, 403, own.text);
    assert.equal(own.data.error.code, 'own_settings_change');
    const still = (await staffA.get(`${C}/fund/settings`)).data;
    assert.deepEqual([still.threshold_fen, still.approvals_needed], [before.threshold_fen, before.approvals_needed]);
    // Somebody else can (as many others as the rule in force asks), so the refusal is not a broken route.
    let ok;
    for (const other of [staffB, admin]) {
      ok = await other.post(`${C}/fund/settings/changes/${r.data.pending.id}/approve`);
      assert.equal(ok.status, 200, ok.text);
      if (ok.data.status === 'applied') break;
    }
    assert.equal(ok.data.status, 'applied');
  }
  // Back to the defaults (a tightening applies at once).
  assert.equal((await put(admin, '/fund/settings', { threshold_fen: s0.threshold_fen, approvals_needed: s0.approvals_needed })).status, 200);
});

test('fund settings: roles without fund.settings are refused; absurd values are 422', async () => {
  const s0 = (await admin.get(`${C}/fund/settings`)).data;
  for (const who of [sw, resident, new Client(srv.base)]) {
    const r = await put(who, '/fund/settings', { threshold_fen: 1, approvals_needed: 1 });
    assert.ok([401, 403].includes(r.status), r.text);
  }
  for (const body of [{ threshold_fen: 9e18, approvals_needed: 1 }, { threshold_fen: 1e8 + 1, approvals_needed: 1 },
    { threshold_fen: -1, approvals_needed: 1 }, { threshold_fen: 50000, approvals_needed: 0 }, { threshold_fen: 50000, approvals_needed: -1 },
    { threshold_fen: 50000, approvals_needed: 6 }, { threshold_fen: 50000, approvals_needed: 1e18 }, { threshold_fen: 1.5, approvals_needed: 1 },
    { threshold_fen: '50000', approvals_needed: 1 }]) {
    const r = await put(admin, '/fund/settings', body);
    assert.equal(r.status, 422, `${JSON.stringify(body)}: ${r.text}`);
  }
  const raw = await admin.req('PUT', `${C}/fund/settings`, { body: '{"threshold_fen": 99999999999999999999999, "approvals_needed": 1}', headers: { 'Content-Type': 'application/json' } });
  assert.ok([400, 422].includes(raw.status), raw.text);
  const s1 = (await admin.get(`${C}/fund/settings`)).data;
  assert.deepEqual([s1.threshold_fen, s1.approvals_needed, s1.pending], [s0.threshold_fen, s0.approvals_needed, null], 'nothing changed');
});

// ---- wish settings: the claim limit per donor ----

test('wish settings: a staff member (who may claim too) cannot raise the claim limit alone', async () => {
  const s0 = (await staffA.get(`${C}/wish-settings`)).data;
  assert.equal(s0.max_open_claims, 3);
  const r = await put(staffA, '/wish-settings', { max_open_claims: 50 });
  assert.equal(r.status, 202, r.text);
  assert.equal(r.data.max_open_claims, 3, 'the limit in force is unchanged');
  assert.equal(r.data.pending.max_open_claims, 50);
  assert.equal(r.data.pending.requested_by_login, 'rules-staff-a');
  assert.equal((await staffA.get(`${C}/wish-settings`)).data.max_open_claims, 3);
  // The proposer sending it again is not a second person.
  const again = await put(staffA, '/wish-settings', { max_open_claims: 50 });
  assert.equal(again.status, 403, again.text);
  assert.equal(again.data.error.code, 'own_settings_change');
  assert.equal((await staffA.get(`${C}/wish-settings`)).data.max_open_claims, 3);
  // Another staff member asking for the same value applies it.
  const ok = await put(staffB, '/wish-settings', { max_open_claims: 50 });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.data.max_open_claims, 50);
  assert.equal(ok.data.pending, null);
  // A lowering only tightens: at once, and it drops any pending raise.
  const down = await put(staffA, '/wish-settings', { max_open_claims: 3 });
  assert.equal(down.status, 200, down.text);
  assert.equal((await put(staffA, '/wish-settings', { max_open_claims: 10 })).status, 202);
  const low = await put(staffA, '/wish-settings', { max_open_claims: 3 });
  assert.equal(low.status, 200, low.text);
  assert.deepEqual([low.data.max_open_claims, low.data.pending], [3, null]);
  assert.equal((await staffB.get(`${C}/wish-settings`)).data.pending, null, 'the raise waiting is gone');
  assert.deepEqual(auditActions('wish_settings'), ['request', 'update', 'update', 'request', 'update']);
  // The limit holds for staff's own claims: the proposer of a raise claims no more than before.
  assert.equal((await put(staffA, '/wish-settings', { max_open_claims: 50 })).status, 202);
  assert.equal((await staffA.get(`${C}/wish-settings`)).data.max_open_claims, 3);
});

test('wish settings: roles without wishes.settings are refused; absurd values are 422', async () => {
  const before = (await admin.get(`${C}/wish-settings`)).data.max_open_claims;
  for (const who of [sw, resident, new Client(srv.base)]) {
    const r = await put(who, '/wish-settings', { max_open_claims: 100 });
    assert.ok([401, 403].includes(r.status), r.text);
  }
  for (const v of [0, -1, 101, 9e18, 1.5, '5', null]) {
    const r = await put(admin, '/wish-settings', { max_open_claims: v });
    assert.equal(r.status, 422, `${v}: ${r.text}`);
  }
  assert.equal((await admin.get(`${C}/wish-settings`)).data.max_open_claims, before, 'nothing changed');
});

// ---- volunteer settings: star thresholds ----

test('volunteer settings: a staff member who volunteers cannot lower the star thresholds alone', async () => {
  const year = new Date().getUTCFullYear();
  const app = await volunteerStaff.post(`${C}/volunteers`, { name: '规则志愿者', birth_year: year - 30 });
  assert.equal(app.status, 201, app.text);
  assert.equal((await staffB.post(`${C}/volunteers/${app.data.id}/decision`, { decision: 'approve' })).status, 200);
  const s0 = (await staffA.get(`${C}/volunteer-settings`)).data;
  assert.deepEqual(s0.star_thresholds, [100, 300, 600, 1000, 1500]);
  const lower = [1, 2, 3, 4, 5];
  const r = await put(staffA, '/volunteer-settings', { star_thresholds: lower });
  assert.equal(r.status, 202, r.text);
  assert.deepEqual(r.data.star_thresholds, s0.star_thresholds, 'unchanged until a colleague agrees');
  assert.deepEqual(r.data.pending.star_thresholds, lower);
  const again = await put(staffA, '/volunteer-settings', { star_thresholds: lower });
  assert.equal(again.status, 403, again.text);
  assert.equal(again.data.error.code, 'own_settings_change');
  const ok = await put(staffB, '/volunteer-settings', { star_thresholds: lower });
  assert.equal(ok.status, 200, ok.text);
  assert.deepEqual(ok.data.star_thresholds, lower);
  assert.equal(ok.data.pending, null);
  assert.deepEqual(auditActions('volunteer_settings'), ['request', 'update']);
  // A lowering of one threshold only is a loosening too.
  const one = await put(staffA, '/volunteer-settings', { star_thresholds: [1, 2, 3, 4, 6] });
  assert.equal(one.status, 200, 'higher: at once');
  assert.equal((await put(staffA, '/volunteer-settings', { star_thresholds: [1, 2, 3, 4, 5] })).status, 202);
  // Raising them (a tightening) applies at once; so does changing only the issuer.
  const back = await put(staffA, '/volunteer-settings', { star_thresholds: s0.star_thresholds });
  assert.equal(back.status, 200, back.text);
  assert.deepEqual(back.data.star_thresholds, s0.star_thresholds);
  const issuer = await put(staffA, '/volunteer-settings', { star_thresholds: s0.star_thresholds, issuer_name: '文华社区居委会' });
  assert.equal(issuer.status, 200, issuer.text);
  assert.equal(issuer.data.issuer_name, '文华社区居委会');
});

test('volunteer settings: roles without volunteers.settings are refused; absurd values are 422', async () => {
  const before = (await admin.get(`${C}/volunteer-settings`)).data.star_thresholds;
  for (const who of [sw, resident, new Client(srv.base)]) {
    const r = await put(who, '/volunteer-settings', { star_thresholds: [1, 2, 3, 4, 5] });
    assert.ok([401, 403].includes(r.status), r.text);
  }
  for (const th of [[], [1, 2, 3, 4], [1, 2, 3, 4, 5, 6], [5, 4, 3, 2, 1], [0, 1, 2, 3, 4], [-5, 1, 2, 3, 4], [1, 2, 3, 4, 9e18],
    [1, 2, 3, 4, 100001], [1, 1, 2, 3, 4], [1.5, 2, 3, 4, 5], 'x']) {
    const r = await put(admin, '/volunteer-settings', { star_thresholds: th });
    assert.equal(r.status, 422, `${JSON.stringify(th)}: ${r.text}`);
  }
  assert.deepEqual((await admin.get(`${C}/volunteer-settings`)).data.star_thresholds, before, 'nothing changed');
});

// ---- the fund's rules (制度): a document, versioned and public ----

test('fund rules: only fund.settings publishes a version; every version stays public', async () => {
  for (const who of [sw, resident, new Client(srv.base)])
    assert.ok([401, 403].includes((await who.post(`${C}/fund/rules`, { markdown: '# 新制度' })).status));
  assert.equal((await admin.post(`${C}/fund/rules`, { markdown: '' })).status, 422);
  assert.equal((await admin.post(`${C}/fund/rules`, { markdown: 'x'.repeat(50001) })).status, 422);
  const r = await staffA.post(`${C}/fund/rules`, { markdown: '# 基金制度\n\n单笔超过500元须两人审批。' });
  assert.ok([200, 201].includes(r.status), r.text);
  const shown = await new Client(srv.base).get(`${C}/fund/rules`);
  assert.equal(shown.status, 200);
  assert.match(shown.text, /两人审批/);
});

// ---- rules fixed at creation ----

test('grant rounds: the rules are fixed when the round is made; no route changes them, and absurd values are 422', async () => {
  const t = Math.floor(Date.now() / 1000);
  const base = { name: '规则轮次', budget_fen: 100000, submission_ends: t + 3600, voting_opens: t + 7200, voting_closes: t + 10800 };
  for (const who of [sw, resident]) assert.equal((await who.post(`${C}/grant-rounds`, base)).status, 403);
  for (const extra of [{ budget_fen: 9e18 }, { budget_fen: -1 }, { max_award_fen: 1e12 + 1 }, { min_expert: -1 }, { min_expert: 101 },
    { expert_weight: 101 }, { expert_weight: 60, public_weight: 30 }, { approval_k: 21 }, { knapsack_fen: 9e18 },
    { rubric: [{ key: 'a', weight: 50, max: 10 }] }]) {
    const r = await admin.post(`${C}/grant-rounds`, { ...base, ...extra });
    assert.equal(r.status, 422, `${JSON.stringify(extra)}: ${r.text}`);
  }
  const ok = await admin.post(`${C}/grant-rounds`, base);
  assert.equal(ok.status, 201, ok.text);
  // Phases move forward only: nobody reopens submissions or scoring for their own proposal.
  assert.equal((await admin.post(`${C}/grant-rounds/${ok.data.id}/phase`, { phase: 'scoring' })).status, 200);
  const back = await admin.post(`${C}/grant-rounds/${ok.data.id}/phase`, { phase: 'eligibility' });
  assert.equal(back.status, 409, back.text);
  assert.equal(back.data.error.code, 'phase_backwards');
  assert.equal((await admin.post(`${C}/grant-rounds/${ok.data.id}/phase`, { phase: 'submission' })).status, 422);
  assert.equal((await sw.post(`${C}/grant-rounds/${ok.data.id}/phase`, { phase: 'voting' })).status, 403);
  // No PUT or PATCH of a round exists (the OpenAPI test below keeps it so).
  for (const m of ['PUT', 'PATCH']) {
    const r = await admin.req(m, `${C}/grant-rounds/${ok.data.id}`, { json: { min_expert: 0 } });
    assert.ok([404, 405].includes(r.status), `${m}: ${r.status}`);
  }
});

test('activities and shifts: grace and capacity are bounded', async () => {
  for (const who of [resident]) assert.equal((await who.post(`${C}/activities`, { title: '规则活动' })).status, 403);
  for (const g of [-1, 241, 9e18]) assert.equal((await admin.post(`${C}/activities`, { title: '规则活动', grace_minutes: g })).status, 422, String(g));
  const a = await admin.post(`${C}/activities`, { title: '规则活动', grace_minutes: 240 });
  assert.equal(a.status, 201, a.text);
  const t = Math.floor(Date.now() / 1000) + 86400;
  for (const cap of [-1, 10001, 9e18])
    assert.equal((await admin.post(`${C}/activities/${a.data.id}/shifts`, { starts_at: t, ends_at: t + 3600, capacity: cap })).status, 422, String(cap));
});

// ---- every settings-like route and limit-like field in the OpenAPI document is classified ----

test('the OpenAPI document has no settings-like route or limit-like field the table does not classify', () => {
  const doc = JSON.parse(srv.cli(['openapi']).stdout);
  const known = new Map(SETTINGS.filter((s) => !s.route.startsWith('constant')).map((s) => [s.route, new Set(s.fields)]));
  const limitLike = /threshold|limit|max|cap|min|quota|approvals|rule/i;
  const walk = (schema, prefix, out) => {
    if (!schema || typeof schema !== 'object') return;
    for (const [k, v] of Object.entries(schema.properties || {})) {
      if (limitLike.test(k)) out.push(prefix + k);
      walk(v, `${prefix + k}.`, out);
    }
    if (schema.items) walk(schema.items, prefix, out);
  };
  const unclassified = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    const p = path.replace('/api/v1/communities/{community_id}', '');
    for (const [method, op] of Object.entries(ops)) {
      if (!['put', 'patch', 'post'].includes(method)) continue;
      const route = `${method.toUpperCase()} ${p}`;
      const fields = [];
      walk(op.requestBody?.content?.['application/json']?.schema, '', fields);
      const settingsLike = /(settings|rules)$/.test(p);
      if (settingsLike && !known.has(route)) unclassified.push(`${route} (a settings route)`);
      const have = known.get(route) || new Set();
      for (const f of fields) if (!have.has(f.split('.')[0])) unclassified.push(`${route} field ${f}`);
      if (['put', 'patch'].includes(method) && /-rounds\/\{round_id\}$/.test(p)) unclassified.push(`${route} (changes a round's rules)`);
    }
  }
  assert.deepEqual([...new Set(unclassified)], [], 'classify each in SETTINGS (who it binds, who may loosen it) before it ships');
});
