// Class test of issue #11: nobody decides on their own case. ACTIONS classifies every approving,
// deciding, scoring, certifying, verifying, confirming, releasing or reversing operation of the
// OpenAPI document; for each one that has a subject, the actor is made the subject and must be
// refused (403 with the code named), and another eligible person must succeed with the same call
// (so the refusal is not a broken route). The last test fails on any such operation the table does
// not classify.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, account, assertCleanExit } from './harness.mjs';

// refused:  the subject acting on their own case gets 403 `code`; tested below.
// by-design: acting on one's own case is what the operation is for (one's own scan, vote, release).
// none:     the operation has no subject who could gain (publishing results, revoking, an index).
const ACTIONS = {
  'POST /volunteers/{volunteer_id}/decision': { kind: 'refused', code: 'self_approval', subject: 'one\'s own application' },
  'POST /volunteers/{volunteer_id}/guardian-consent': { kind: 'none', why: 'records a guardian\'s consent for a minor (staff are adults); it only allows sign-up' },
  'POST /volunteers/{volunteer_id}/certificates': { kind: 'refused', code: 'self_approval', subject: 'certifying oneself' },
  'POST /trainings/{training_id}/attendance': { kind: 'refused', code: 'self_approval', subject: 'recording one\'s own attendance of a training (it unlocks shifts)' },
  'POST /shifts/{shift_id}/scan': { kind: 'by-design', why: 'a volunteer scans their own QR check-in' },
  'POST /shifts/{shift_id}/attendance': { kind: 'refused', code: 'self_approval', subject: 'checking oneself in from the roster' },
  'POST /hours/entries': { kind: 'refused', code: 'self_approval', subject: 'entering hours on one\'s own record' },
  'POST /hours/decision': { kind: 'refused', code: 'self_approval', subject: 'approving one\'s own hours' },
  'POST /hours/{hour_id}/correct': { kind: 'refused', code: 'self_approval', subject: 'correcting one\'s own hours' },
  'POST /certificates/{certificate_id}/revoke': { kind: 'none', why: 'revoking only takes away' },
  'POST /fund/entries/{seq}/reverse': { kind: 'refused', code: 'own_request', subject: 'approving one\'s own reversal (it waits for another staff member)' },
  'POST /fund/requests/{request_id}/approve': { kind: 'refused', code: 'own_request', subject: 'approving one\'s own payout' },
  'POST /fund/requests/{request_id}/reject': { kind: 'refused', code: 'own_request', subject: 'deciding on one\'s own payout' },
  'POST /fund/settings/changes/{change_id}/approve': { kind: 'refused', code: 'own_settings_change', subject: 'approving one\'s own settings change' },
  'POST /fund/settings/changes/{change_id}/reject': { kind: 'refused', code: 'own_settings_change', subject: 'deciding on one\'s own settings change' },
  'POST /wishes/{wish_id}/verify': { kind: 'refused', code: 'own_wish', subject: 'verifying a wish one submitted for oneself' },
  'POST /wishes/{wish_id}/decision': { kind: 'refused', code: 'own_wish', subject: 'publishing one\'s own wish' },
  'POST /wishes/{wish_id}/claims': { kind: 'refused', code: 'own_wish', subject: 'claiming one\'s own wish' },
  'POST /wishes/{wish_id}/claims/release': { kind: 'by-design', why: 'the claimer releases their own claim' },
  'POST /wishes/{wish_id}/fulfil': { kind: 'refused', code: 'own_wish', subject: 'recording the fulfilment of one\'s own wish (it posts to the fund)' },
  'POST /wishes/{wish_id}/confirm': { kind: 'refused', code: 'own_claim', subject: 'the donor confirming, as staff, the fulfilment of the wish they claimed (the beneficiary confirming is by design)' },
  'POST /wish-donors/{account_id}/block': { kind: 'none', why: 'blocking only takes away' },
  'POST /wish-donors/{account_id}/unblock': { kind: 'refused', code: 'own_block', subject: 'unblocking oneself' },
  'POST /grant-rounds/{round_id}/proposals/{proposal_id}/eligibility': { kind: 'refused', code: 'own_proposal', subject: 'ruling on the eligibility of one\'s own proposal' },
  'POST /grant-rounds/{round_id}/proposals/{proposal_id}/conflict': { kind: 'by-design', why: 'a reviewer declares their own conflict' },
  'POST /grant-rounds/{round_id}/proposals/{proposal_id}/scores': { kind: 'refused', code: 'review_conflict', subject: 'scoring one\'s own (or one\'s organisation\'s) proposal' },
  'POST /grant-rounds/{round_id}/proposals/{proposal_id}/payments': { kind: 'none', why: 'a fund disbursement: above the threshold it waits for another staff member (own_request)' },
  'POST /grant-rounds/{round_id}/reviewers': { kind: 'none', why: 'a reviewer needs the reviewer role, and scores of their own proposals are refused (review_conflict)' },
  'POST /grant-rounds/{round_id}/voters': { kind: 'refused', code: 'own_voter', subject: 'verifying oneself as a voter' },
  'POST /grant-rounds/{round_id}/votes': { kind: 'by-design', why: 'one\'s own vote' },
  'POST /grant-rounds/{round_id}/results/publish': { kind: 'none', why: 'freezes the ranking the formula computed' },
  'POST /grant-rounds/{round_id}/paper-ballots/{serial}/check': { kind: 'refused', code: 'own_keying', subject: 'checking a paper ballot one keyed in' },
  'POST /grant-rounds/{round_id}/objections/{objection_id}/answer': { kind: 'none', why: 'answers are public and objections anonymous' },
  'POST /grant-rounds/{round_id}/reports/{report_id}/review': { kind: 'refused', code: 'own_report', subject: 'accepting a progress report one filed (it releases the final tranche)' },
  'POST /voting-codes/redeem': { kind: 'by-design', why: 'one redeems the code one was given' },
  'POST /organisations/{organisation_id}/reps': { kind: 'none', why: 'needs grants.manage (staff act for every organisation already); a rep linking themselves is 403' },
  'POST /people/unmask': { kind: 'none', why: 'a search, audited and throttled (class-oracles)' },
  'POST /people/{person_id}/unmask': { kind: 'none', why: 'a view, audited' },
  'POST /grant-rounds/{round_id}/proposals/{proposal_id}/reports': { kind: 'none', why: 'filing; its review is the decision' },
};
const ACTION_PATH = /\/(decision|approve|reject|scores|certificates?|verify|confirm|release|reverse|correct|check|attendance|eligibility|review|fulfil|claims|entries|answer|revoke|payments|guardian-consent|block|unblock|votes|scan|conflict|reviewers|voters|reps|publish|redeem|unmask|reports)$/;

let srv, admin, C, year, staffA, staffB, compound;
const now = () => Math.floor(Date.now() / 1000);
const chinaDay = (t) => new Date((t + 8 * 3600) * 1000).toISOString().slice(0, 10);
before(async () => {
  srv = await startServer({ residents: 20 });
  admin = new Client(srv.base);
  assert.equal((await admin.login('admin', srv.password)).status, 200);
  C = `/api/v1/communities/${srv.communityId}`;
  year = new Date(Date.now() + 8 * 3600e3).getUTCFullYear();
  staffA = await account(srv, 'self-staff-a', 'staff');
  staffB = await account(srv, 'self-staff-b', 'staff');
  compound = (await admin.get(`${C}/compounds?limit=1`)).data.items[0].id;
});
after(async () => { if (srv) assertCleanExit(assert, await srv.stop()); });

// The subject's own try is refused with the code; then the other's try succeeds.
async function refusedThenOk(action, own, other, okStatus = [200, 201]) {
  const spec = ACTIONS[action];
  assert.equal(spec.kind, 'refused', action);
  const r = await own();
  assert.equal(r.status, 403, `${action} (${spec.subject}): ${r.text}`);
  assert.equal(r.data.error.code, spec.code, action);
  assert.ok(r.data.error.message, 'a message says why');
  const ok = await other();
  assert.ok(okStatus.includes(ok.status), `${action} by another: ${ok.status} ${ok.text}`);
  return ok;
}

// ---- volunteers ----

test('volunteers: nobody approves, records, corrects, checks in or certifies themselves', async () => {
  const sw = await account(srv, 'self-sw', 'social_worker');
  const colleague = await account(srv, 'self-sw2', 'social_worker');
  const app = await sw.post(`${C}/volunteers`, { name: '自办社工', birth_year: year - 35 });
  assert.equal(app.status, 201, app.text);
  const vid = app.data.id;
  await refusedThenOk('POST /volunteers/{volunteer_id}/decision',
    () => sw.post(`${C}/volunteers/${vid}/decision`, { decision: 'approve' }),
    () => colleague.post(`${C}/volunteers/${vid}/decision`, { decision: 'approve' }));
  const day = chinaDay(now() - 86400);
  const entry = { volunteer_id: vid, served_on: day, minutes: 60, description: '社区服务', reason: '补录' };
  const e = await refusedThenOk('POST /hours/entries', () => sw.post(`${C}/hours/entries`, entry), () => colleague.post(`${C}/hours/entries`, entry));
  await refusedThenOk('POST /hours/{hour_id}/correct',
    () => sw.post(`${C}/hours/${e.data.id}/correct`, { minutes: 600, reason: '多算' }),
    () => colleague.post(`${C}/hours/${e.data.id}/correct`, { minutes: 90, reason: '更正' }));
  const rep = await sw.post(`${C}/hours`, { served_on: day, minutes: 30, description: '帮长者买菜' });
  assert.equal(rep.status, 201, rep.text);
  await refusedThenOk('POST /hours/decision',
    () => sw.post(`${C}/hours/decision`, { ids: [rep.data.id], decision: 'approve' }),
    () => colleague.post(`${C}/hours/decision`, { ids: [rep.data.id], decision: 'approve' }));
  const period = { from: `${year - 1}-01-01`, to: `${year}-12-31` };
  await refusedThenOk('POST /volunteers/{volunteer_id}/certificates',
    () => sw.post(`${C}/volunteers/${vid}/certificates`, period), () => colleague.post(`${C}/volunteers/${vid}/certificates`, period));
  const tr = await admin.post(`${C}/trainings`, { title: '急救培训', held_at: now() - 3600, place: '党群服务中心' });
  assert.equal(tr.status, 201, tr.text);
  await refusedThenOk('POST /trainings/{training_id}/attendance',
    () => sw.post(`${C}/trainings/${tr.data.id}/attendance`, { volunteer_ids: [vid] }),
    () => colleague.post(`${C}/trainings/${tr.data.id}/attendance`, { volunteer_ids: [vid] }));
  const act = await admin.post(`${C}/activities`, { title: '自签到', kind: 'event' });
  const start = now() + 3600;
  const shift = (await admin.post(`${C}/activities/${act.data.id}/shifts`, { starts_at: start, ends_at: start + 7200, capacity: 5 })).data.items[0].id;
  assert.equal((await sw.post(`${C}/shifts/${shift}/signup`)).status, 200);
  await refusedThenOk('POST /shifts/{shift_id}/attendance',
    () => sw.post(`${C}/shifts/${shift}/attendance`, { volunteer_id: vid, action: 'checkin' }),
    () => colleague.post(`${C}/shifts/${shift}/attendance`, { volunteer_id: vid, action: 'checkin' }));
});

// ---- fund ----

test('fund: nobody approves or rejects their own payout, reversal or settings change', async () => {
  assert.equal((await admin.post(`${C}/fund/donations`, { amount_fen: 500000, method: 'bank', donor_name: '自审测试' })).status, 201);
  const pay = () => staffA.post(`${C}/fund/disbursements`, { amount_fen: 60000, from: 'bank', expense: 'activities', memo: '自审' });
  const p1 = await pay();
  assert.equal(p1.status, 202, p1.text);
  await refusedThenOk('POST /fund/requests/{request_id}/approve',
    () => staffA.post(`${C}/fund/requests/${p1.data.id}/approve`), () => staffB.post(`${C}/fund/requests/${p1.data.id}/approve`));
  const p2 = await pay();
  await refusedThenOk('POST /fund/requests/{request_id}/reject',
    () => staffA.post(`${C}/fund/requests/${p2.data.id}/reject`), () => staffB.post(`${C}/fund/requests/${p2.data.id}/reject`));
  const d = await admin.post(`${C}/fund/donations`, { amount_fen: 70000, method: 'bank', donor_name: '误录' });
  const rev = await staffA.post(`${C}/fund/entries/${d.data.seq}/reverse`, { reason: '重复录入' });
  assert.equal(rev.status, 202, rev.text);
  await refusedThenOk('POST /fund/entries/{seq}/reverse',
    () => staffA.post(`${C}/fund/requests/${rev.data.id}/approve`), () => staffB.post(`${C}/fund/requests/${rev.data.id}/approve`));
  const change = async () => (await staffA.req('PUT', `${C}/fund/settings`, { json: { threshold_fen: 80000, approvals_needed: 1 } })).data.pending.id;
  const c1 = await change();
  await refusedThenOk('POST /fund/settings/changes/{change_id}/reject',
    () => staffA.post(`${C}/fund/settings/changes/${c1}/reject`), () => staffB.post(`${C}/fund/settings/changes/${c1}/reject`));
  const c2 = await change();
  await refusedThenOk('POST /fund/settings/changes/{change_id}/approve',
    () => staffA.post(`${C}/fund/settings/changes/${c2}/approve`), () => staffB.post(`${C}/fund/settings/changes/${c2}/approve`));
  assert.equal((await admin.req('PUT', `${C}/fund/settings`, { json: { threshold_fen: 50000, approvals_needed: 1 } })).status, 200);
});

// ---- wishes ----

const wishBody = (extra = {}) => ({ category: 'goods', urgency: 'blue', title: '一台收音机', story: '平时喜欢听粤剧，收音机坏了。',
  beneficiary_name: '周秀兰', address: '文华花园 5栋 801', contact: '13900001111', needs: '带粤剧频道的收音机', estimated_fen: 8000,
  consent: true, compound_id: compound, ...extra });

test('wishes: nobody verifies, publishes, claims or fulfils their own wish, confirms what they gave, or unblocks themselves', async () => {
  // A staff member's own wish, submitted online for themselves.
  const own = await staffA.post(`${C}/wishes`, wishBody({ title: '我的心愿' }));
  assert.equal(own.status, 201, own.text);
  const id = own.data.id;
  await refusedThenOk('POST /wishes/{wish_id}/verify',
    () => staffA.post(`${C}/wishes/${id}/verify`, { method: 'phone', note: '自己核实' }),
    () => staffB.post(`${C}/wishes/${id}/verify`, { method: 'phone', note: '已电话核实' }));
  await refusedThenOk('POST /wishes/{wish_id}/decision',
    () => staffA.post(`${C}/wishes/${id}/decision`, { decision: 'publish' }), () => staffB.post(`${C}/wishes/${id}/decision`, { decision: 'publish' }));
  const donor = await account(srv, 'self-donor');
  await refusedThenOk('POST /wishes/{wish_id}/claims',
    () => staffA.post(`${C}/wishes/${id}/claims`, { pledge: true }), () => donor.post(`${C}/wishes/${id}/claims`, { pledge: true }));
  await refusedThenOk('POST /wishes/{wish_id}/fulfil',
    () => staffA.post(`${C}/wishes/${id}/fulfil`, { kind: 'goods' }), () => staffB.post(`${C}/wishes/${id}/fulfil`, { kind: 'goods' }));
  // The beneficiary confirming their own wish is the rule; the donor confirming it is not.
  const w2 = await admin.post(`${C}/wishes`, wishBody({ source: 'paper', paper_serial: 'SELF-1', title: '一个电饭煲' }));
  assert.equal(w2.status, 201, w2.text);
  assert.equal((await admin.post(`${C}/wishes/${w2.data.id}/verify`, { method: 'visit' })).status, 200);
  assert.equal((await admin.post(`${C}/wishes/${w2.data.id}/decision`, { decision: 'publish' })).status, 200);
  assert.equal((await staffA.post(`${C}/wishes/${w2.data.id}/claims`, { pledge: true })).status, 201, 'staff may give, as anyone');
  assert.equal((await staffB.post(`${C}/wishes/${w2.data.id}/fulfil`, { kind: 'goods' })).status, 200);
  await refusedThenOk('POST /wishes/{wish_id}/confirm',
    () => staffA.post(`${C}/wishes/${w2.data.id}/confirm`, {}), () => staffB.post(`${C}/wishes/${w2.data.id}/confirm`, {}));
  // A blocked staff member cannot lift their own block.
  assert.equal((await staffB.post(`${C}/wish-donors/${staffA.id}/block`, { reason: '认领后不联系' })).status, 200);
  await refusedThenOk('POST /wish-donors/{account_id}/unblock',
    () => staffA.post(`${C}/wish-donors/${staffA.id}/unblock`, { reason: '自己解除' }),
    () => staffB.post(`${C}/wish-donors/${staffA.id}/unblock`, { reason: '已当面说明' }));
});

// ---- grants ----

test('grants: nobody rules on, scores, verifies themselves for, checks or accepts their own', async () => {
  const t = now();
  const round = (await admin.post(`${C}/grant-rounds`, { name: '自审轮次', budget_fen: 5000000, max_award_fen: 1000000,
    submission_ends: t + 7200, voting_opens: t + 2 * 86400, voting_closes: t + 3 * 86400 })).data;
  const R = `${C}/grant-rounds/${round.id}`;
  const org = (await admin.get(`${C}/organisations?limit=1`)).data.items[0];
  const prop = (who, k) => who.post(`${R}/proposals`, { organisation_id: org.id, title: `项目${k}`, summary: '测试', requested_fen: 50000,
    budget_lines: [{ item: '场地', fen: 50000 }] });
  const pA = await prop(staffA, 'A');
  assert.equal(pA.status, 201, pA.text);
  assert.equal((await admin.post(`${R}/phase`, { phase: 'eligibility' })).status, 200);
  await refusedThenOk('POST /grant-rounds/{round_id}/proposals/{proposal_id}/eligibility',
    () => staffA.post(`${R}/proposals/${pA.data.id}/eligibility`, { eligible: true }),
    () => staffB.post(`${R}/proposals/${pA.data.id}/eligibility`, { eligible: true }));
  // A reviewer who submitted a proposal does not score it.
  const reviewer = await account(srv, 'self-reviewer', 'reviewer');
  assert.equal(srv.cli(['user', 'roles', '--login', 'self-reviewer', '--grant', 'org_rep', '--community', String(srv.communityId)]).status, 0);
  assert.equal((await admin.post(`${C}/organisations/${org.id}/reps`, { account_id: reviewer.id })).status, 201);
  await reviewer.login('self-reviewer', 'pass-self-reviewer-123');
  const other = await account(srv, 'self-reviewer2', 'reviewer');
  // Proposals are made in the submission phase: this one was put in by the reviewer's organisation.
  srv.sql(`UPDATE grant_proposals SET submitted_by = ${reviewer.id} WHERE community_id = ${srv.communityId} AND id = ${pA.data.id}`);
  assert.equal((await admin.post(`${R}/phase`, { phase: 'scoring' })).status, 200);
  for (const who of [reviewer, other]) assert.equal((await admin.post(`${R}/reviewers`, { account_id: who.id })).status, 201);
  const rubric = (await admin.get(R)).data.rubric;
  const scores = Object.fromEntries(rubric.map((c) => [c.key, 1]));
  await refusedThenOk('POST /grant-rounds/{round_id}/proposals/{proposal_id}/scores',
    () => reviewer.post(`${R}/proposals/${pA.data.id}/scores`, { scores }), () => other.post(`${R}/proposals/${pA.data.id}/scores`, { scores }));
  srv.sql(`UPDATE grant_proposals SET submitted_by = ${staffA.id} WHERE community_id = ${srv.communityId} AND id = ${pA.data.id}`);
  // Voters: staff vouch for others, not for themselves.
  const people = (await admin.get(`${C}/people?limit=2`)).data.items;
  const resident = await account(srv, 'self-voter');
  await refusedThenOk('POST /grant-rounds/{round_id}/voters',
    () => staffA.post(`${R}/voters`, { account_id: staffA.id, person_id: people[0].id }),
    () => staffB.post(`${R}/voters`, { account_id: resident.id, person_id: people[1].id }));
  // A paper ballot is checked by someone other than who keyed it.
  // Voting opens by its date (the round moves to voting by itself).
  srv.sql(`UPDATE grant_rounds SET phase = 'voting', voting_opens = ${now() - 60} WHERE community_id = ${srv.communityId} AND id = ${round.id}`);
  const keyed = await staffA.post(`${R}/paper-ballots`, { serial: 'SELF-P1', person_id: people[0].id, proposal_ids: [pA.data.id] });
  assert.equal(keyed.status, 201, keyed.text);
  await refusedThenOk('POST /grant-rounds/{round_id}/paper-ballots/{serial}/check',
    () => staffA.post(`${R}/paper-ballots/SELF-P1/check`, { confirm: true }), () => staffB.post(`${R}/paper-ballots/SELF-P1/check`, { confirm: true }));
  // A progress report is accepted by someone other than who filed it (it opens the final tranche).
  srv.sql(`UPDATE grant_rounds SET phase = 'reporting' WHERE community_id = ${srv.communityId} AND id = ${round.id}`);
  srv.sql(`UPDATE grant_proposals SET funded = 1, award_fen = 50000 WHERE community_id = ${srv.communityId} AND id = ${pA.data.id}`);
  const report = await staffA.post(`${R}/proposals/${pA.data.id}/reports`, { period: '上半年', activities: '开展活动', participants: 10, spending: { '场地': 1000 }, final: true });
  assert.equal(report.status, 201, report.text);
  await refusedThenOk('POST /grant-rounds/{round_id}/reports/{report_id}/review',
    () => staffA.post(`${R}/reports/${report.data.id}/review`, { decision: 'accept' }),
    () => staffB.post(`${R}/reports/${report.data.id}/review`, { decision: 'accept' }));
});

// ---- every such operation is classified ----

test('every approving, deciding, scoring, certifying, confirming, releasing or reversing operation is in the table', () => {
  const doc = JSON.parse(srv.cli(['openapi']).stdout);
  const found = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    const p = path.replace('/api/v1/communities/{community_id}', '').replace('/api/v1', '');
    for (const method of Object.keys(ops)) {
      if (method === 'get' || !['post', 'put', 'patch', 'delete'].includes(method)) continue;
      if (ACTION_PATH.test(p) || /\/(approve|decide|confirm|verify)/.test(p)) found.push(`${method.toUpperCase()} ${p}`);
    }
  }
  const missing = found.filter((k) => !ACTIONS[k]);
  assert.deepEqual(missing, [], 'classify each: refused (and test it), by-design or none, with why');
  const stale = Object.keys(ACTIONS).filter((k) => !found.includes(k));
  assert.deepEqual(stale, [], 'operations in the table that the document no longer has');
  for (const [k, v] of Object.entries(ACTIONS)) assert.ok(v.kind === 'refused' ? v.code && v.subject : v.why, k);
});
