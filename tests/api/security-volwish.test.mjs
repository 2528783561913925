// Security findings M5, M7 and L4 of issue #11, from outside, as an attacker or a user would see them:
// - M5: the public certificate check answers details only with the certificate's random key (in the QR
//   link); without it only {"valid": …}; a wrong key reads exactly like an unknown serial; lookups are
//   throttled per address.
// - M7: one donor holds at most N open claims (3 unless staff change it, audited); nobody claims again a
//   wish they let go within its campaign; staff (and the claimer) release a claim with a reason; staff
//   block a donor with a reason; all audited.
// - L4: nobody approves their own application, enters, approves or corrects hours on their own record,
//   or certifies themselves; approved minutes per volunteer per China day are capped (960).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, assertCleanExit, account as accountOf } from './harness.mjs';

let srv, admin, C, year, compound;
const pub = () => new Client(srv.base);
const chinaDay = (t) => new Date((t + 8 * 3600) * 1000).toISOString().slice(0, 10);
const now = () => Math.floor(Date.now() / 1000);
const audit = (where) => srv.sql(`SELECT action || '|' || entity || '|' || COALESCE(after_json, '') FROM audit_log WHERE community_id = ${srv.communityId} AND ${where} ORDER BY seq`);

before(async () => {
  srv = await startServer({ residents: 20, serveArgs: ['--threads', '4'] });
  admin = new Client(srv.base);
  await admin.login('admin', srv.password);
  C = `/api/v1/communities/${srv.communityId}`;
  year = new Date(Date.now() + 8 * 3600e3).getUTCFullYear();
  compound = (await admin.get(`${C}/compounds?q=${encodeURIComponent('文华花园')}`)).data.items[0].id;
});
after(async () => { if (srv) assertCleanExit(assert, await srv.stop()); });

// A resident applies to volunteer and staff approve: { client, id }.
async function volunteer(login, role = 'resident') {
  const c = await accountOf(srv, login, role);
  const r = await c.post(`${C}/volunteers`, { name: `志愿者${login}`, birth_year: year - 30 });
  assert.equal(r.status, 201, r.text);
  const ok = await admin.post(`${C}/volunteers/${r.data.id}/decision`, { decision: 'approve' });
  assert.equal(ok.status, 200, ok.text);
  return { client: c, id: r.data.id };
}

// ---- L4: self-approval, and the daily cap ----

test('L4: a social worker cannot approve their own application, enter, approve or correct their own hours, nor certify themselves', async () => {
  const sw = await accountOf(srv, 'sw-self', 'social_worker');
  const colleague = await accountOf(srv, 'sw-colleague', 'social_worker');
  const app = await sw.post(`${C}/volunteers`, { name: '自审社工', birth_year: year - 35 });
  assert.equal(app.status, 201, app.text);
  const own = await sw.post(`${C}/volunteers/${app.data.id}/decision`, { decision: 'approve' });
  assert.equal(own.status, 403, own.text);
  assert.equal(own.data.error.code, 'self_approval');
  assert.equal((await admin.get(`${C}/volunteers/${app.data.id}`)).data.status, 'pending', 'nothing changed');
  const ownDecline = await sw.post(`${C}/volunteers/${app.data.id}/decision`, { decision: 'decline', reason: '自己拒绝自己' });
  assert.equal(ownDecline.status, 403);
  assert.equal(ownDecline.data.error.code, 'self_approval');
  assert.equal((await colleague.post(`${C}/volunteers/${app.data.id}/decision`, { decision: 'approve' })).status, 200);
  const vid = app.data.id;
  const day = chinaDay(now() - 86400);
  // The pen test: three 24-hour entries on one's own record.
  for (let i = 0; i < 3; i++) {
    const e = await sw.post(`${C}/hours/entries`, { volunteer_id: vid, served_on: day, minutes: 1440, description: '社区服务', reason: '补录' });
    assert.equal(e.status, 403, e.text);
    assert.equal(e.data.error.code, 'self_approval');
  }
  const small = await sw.post(`${C}/hours/entries`, { volunteer_id: vid, served_on: day, minutes: 60, description: '社区服务', reason: '补录' });
  assert.equal(small.status, 403, 'not even one minute on one\'s own record');
  assert.equal((await admin.get(`${C}/hours?volunteer_id=${vid}`)).data.total, 0, 'no record was made');
  // Hours they report themselves wait; they cannot approve them, a colleague can.
  const rep = await sw.post(`${C}/hours`, { served_on: day, minutes: 90, description: '帮独居长者买菜' });
  assert.equal(rep.status, 201, rep.text);
  const selfOk = await sw.post(`${C}/hours/decision`, { ids: [rep.data.id], decision: 'approve' });
  assert.equal(selfOk.status, 403, selfOk.text);
  assert.equal(selfOk.data.error.code, 'self_approval');
  const still = await colleague.get(`${C}/hours?status=pending&volunteer_id=${vid}`);
  assert.equal(still.data.total, 1, 'still pending after the refusal');
  assert.equal((await colleague.post(`${C}/hours/decision`, { ids: [rep.data.id], decision: 'approve' })).data.decided.length, 1);
  // Correcting one's own record (a new approved record) is refused too.
  const fix = await sw.post(`${C}/hours/${rep.data.id}/correct`, { minutes: 600, reason: '多算一些' });
  assert.equal(fix.status, 403, fix.text);
  assert.equal(fix.data.error.code, 'self_approval');
  assert.equal((await admin.get(`${C}/volunteers/${vid}`)).data.hours, 1.5);
  // Certifying oneself.
  const cert = await sw.post(`${C}/volunteers/${vid}/certificates`, { from: `${year - 1}-01-01`, to: `${year}-12-31` });
  assert.equal(cert.status, 403, cert.text);
  assert.equal(cert.data.error.code, 'self_approval');
  assert.equal((await colleague.post(`${C}/volunteers/${vid}/certificates`, { from: `${year - 1}-01-01`, to: `${year}-12-31` })).status, 201);
  // The refusal reads naturally in both languages.
  const en = new Client(srv.base, 'en');
  await en.login('sw-self', 'pass-sw-self-123');
  const enRefusal = await en.post(`${C}/hours/entries`, { volunteer_id: vid, served_on: day, minutes: 60, description: 'x', reason: 'x' });
  assert.match(enRefusal.data.error.message, /own/i);
  assert.match(own.data.error.message, /本人/);
  assert.equal(srv.cli(['audit', 'verify']).status, 0);
});

test('L4: approved minutes per volunteer per day are capped at 16 hours (960 minutes)', async () => {
  const v = await volunteer('capped');
  const day = chinaDay(now() - 2 * 86400), other = chinaDay(now() - 3 * 86400);
  const enter = (minutes, served_on = day) => admin.post(`${C}/hours/entries`, { volunteer_id: v.id, served_on, minutes, description: '敬老院服务', reason: '补录' });
  const over = await enter(1440);
  assert.equal(over.status, 422, over.text);
  assert.ok(over.data.error.fields.minutes, 'the minutes field says why');
  assert.match(over.data.error.fields.minutes, /16/);
  assert.equal((await enter(600)).status, 201);
  const second = await enter(400);
  assert.equal(second.status, 422, second.text);
  const fill = await enter(360);
  assert.equal(fill.status, 201, fill.text);
  assert.equal((await enter(1)).status, 422, 'the day is full at 960');
  assert.equal((await enter(600, other)).status, 201, 'another day has its own cap');
  // A report waiting on a full day cannot be approved; on its own it could.
  const rep = await v.client.post(`${C}/hours`, { served_on: day, minutes: 30, description: '额外服务' });
  assert.equal(rep.status, 201);
  const ok = await admin.post(`${C}/hours/decision`, { ids: [rep.data.id], decision: 'approve' });
  assert.equal(ok.status, 409, ok.text);
  assert.equal(ok.data.error.code, 'daily_cap_exceeded');
  assert.equal((await admin.get(`${C}/hours?status=pending&volunteer_id=${v.id}`)).data.total, 1, 'still pending');
  // Two reports approved together count together.
  const r1 = await v.client.post(`${C}/hours`, { served_on: other, minutes: 200, description: 'a' });
  const r2 = await v.client.post(`${C}/hours`, { served_on: other, minutes: 200, description: 'b' });
  const both = await admin.post(`${C}/hours/decision`, { ids: [r1.data.id, r2.data.id], decision: 'approve' });
  assert.equal(both.status, 409, 'together 1,000 minutes on a day with 600');
  assert.equal((await admin.post(`${C}/hours/decision`, { ids: [r1.data.id], decision: 'approve' })).status, 200);
  // A correction replaces the record it corrects: 600 → 500 fits, 600 → 700 on a full day does not.
  const first = (await admin.get(`${C}/hours?volunteer_id=${v.id}&status=approved&limit=100`)).data.items.find((h) => h.minutes === 600 && h.served_on === day);
  const up = await admin.post(`${C}/hours/${first.id}/correct`, { minutes: 700, reason: '多记' });
  assert.equal(up.status, 422, up.text);
  assert.ok(up.data.error.fields.minutes);
  assert.equal((await admin.post(`${C}/hours/${first.id}/correct`, { minutes: 500, reason: '少记一些' })).status, 201);
  // Moving a record to another day with the correction counts on that day.
  const r360 = (await admin.get(`${C}/hours?volunteer_id=${v.id}&status=approved&limit=100`)).data.items.find((h) => h.minutes === 360);
  const move = await admin.post(`${C}/hours/${r360.id}/correct`, { minutes: 360, served_on: other, reason: '日期登记错误' });
  assert.equal(move.status, 422, 'the other day has 800 already');
  // Approved: 500 + 360 on the first day, 600 + 200 on the other: 1,660 minutes.
  assert.equal((await admin.get(`${C}/volunteers/${v.id}`)).data.hours, 27.6);
});

test('L4: a coordinator does not check themselves in or out from the roster (they scan like everyone)', async () => {
  const sw = await accountOf(srv, 'sw-roster', 'social_worker');
  const app = await sw.post(`${C}/volunteers`, { name: '协调人', birth_year: year - 40 });
  assert.equal((await admin.post(`${C}/volunteers/${app.data.id}/decision`, { decision: 'approve' })).status, 200);
  const act = await admin.post(`${C}/activities`, { title: '自签到测试', kind: 'event' });
  const start = now() + 3600;
  const shift = (await admin.post(`${C}/activities/${act.data.id}/shifts`, { starts_at: start, ends_at: start + 7200, capacity: 5 })).data.items[0].id;
  assert.equal((await sw.post(`${C}/shifts/${shift}/signup`)).status, 200);
  const self = await sw.post(`${C}/shifts/${shift}/attendance`, { volunteer_id: app.data.id, action: 'checkin' });
  assert.equal(self.status, 403, self.text);
  assert.equal(self.data.error.code, 'self_approval');
  const roster = (await admin.get(`${C}/shifts/${shift}/roster`)).data.items.find((x) => x.volunteer_id === app.data.id);
  assert.equal(roster.checkin_at, null);
  assert.equal((await admin.post(`${C}/shifts/${shift}/attendance`, { volunteer_id: app.data.id, action: 'checkin' })).status, 200);
});

test('L4: two approvals at once cannot pass the daily cap together', async () => {
  const v = await volunteer('cap-race');
  const [s1, s2] = [await accountOf(srv, 'cap-staff1', 'staff'), await accountOf(srv, 'cap-staff2', 'staff')];
  for (let round = 0; round < 5; round++) {
    const served_on = chinaDay(now() - (10 + round) * 86400);
    const a = await v.client.post(`${C}/hours`, { served_on, minutes: 600, description: `a${round}` });
    const b = await v.client.post(`${C}/hours`, { served_on, minutes: 600, description: `b${round}` });
    const rs = await Promise.all([s1.post(`${C}/hours/decision`, { ids: [a.data.id], decision: 'approve' }),
      s2.post(`${C}/hours/decision`, { ids: [b.data.id], decision: 'approve' })]);
    assert.deepEqual(rs.map((r) => r.status).sort(), [200, 409], rs.map((r) => r.text).join(' '));
    const approved = (await admin.get(`${C}/hours?volunteer_id=${v.id}&status=approved&limit=100`)).data.items.filter((h) => h.served_on === served_on);
    assert.equal(approved.length, 1, `one of the two on ${served_on}`);
  }
});

// ---- M7: wish claims ----

const wish = (extra = {}) => ({ category: 'goods', urgency: 'blue', title: '一台收音机', story: '独居长者，平时喜欢听粤剧，收音机坏了。',
  beneficiary_name: '周秀兰', address: '文华花园 5栋 801', contact: '13900001111', needs: '带粤剧频道的收音机', estimated_fen: 8000,
  consent: true, compound_id: compound, ...extra });
async function published(extra = {}) {
  const w = await admin.post(`${C}/wishes`, wish({ source: 'paper', paper_serial: `SEC${Math.random().toString().slice(2, 10)}`, ...extra }));
  assert.equal(w.status, 201, w.text);
  assert.equal((await admin.post(`${C}/wishes/${w.data.id}/verify`, { method: 'phone', note: '已电话核实' })).status, 200);
  const p = await admin.post(`${C}/wishes/${w.data.id}/decision`, { decision: 'publish' });
  assert.equal(p.status, 200, p.text);
  return w.data.id;
}
const wallStatus = async (id) => (await pub().get(`${C}/wishes?limit=500`)).data.items.find((w) => w.id === id)?.status;

test('M7: one donor holds at most 3 open claims; staff change the limit, audited', async () => {
  const ids = [];
  for (let i = 0; i < 5; i++) ids.push(await published({ title: `心愿${i}` }));
  const hoarder = await accountOf(srv, 'hoarder', 'resident', '囤积者');
  for (const id of ids.slice(0, 3)) assert.equal((await hoarder.post(`${C}/wishes/${id}/claims`, { pledge: true })).status, 201);
  const fourth = await hoarder.post(`${C}/wishes/${ids[3]}/claims`, { pledge: true });
  assert.equal(fourth.status, 409, fourth.text);
  assert.equal(fourth.data.error.code, 'claim_limit_reached');
  assert.equal(await wallStatus(ids[3]), 'published', 'the fourth stays on the wall');
  assert.equal((await (await accountOf(srv, 'fair-donor')).post(`${C}/wishes/${ids[4]}/claims`, { pledge: true })).status, 201, 'others still claim');
  // The setting: staff read and change it; a social worker and a resident cannot change it.
  const s = await admin.get(`${C}/wish-settings`);
  assert.equal(s.status, 200, s.text);
  assert.equal(s.data.max_open_claims, 3);
  const sw = await accountOf(srv, 'sw-wishes', 'social_worker');
  assert.equal((await sw.req('PUT', `${C}/wish-settings`, { json: { max_open_claims: 10 } })).status, 403);
  assert.equal((await hoarder.req('PUT', `${C}/wish-settings`, { json: { max_open_claims: 10 } })).status, 403);
  assert.equal((await admin.req('PUT', `${C}/wish-settings`, { json: { max_open_claims: 0 } })).status, 422);
  const staff = await accountOf(srv, 'staff-wishes', 'staff');
  // A raise waits for a second staff member (tests/api/class-rules.test.mjs): asked by one, applied by another.
  const ask = await staff.req('PUT', `${C}/wish-settings`, { json: { max_open_claims: 4 } });
  assert.equal(ask.status, 202, ask.text);
  const put = await admin.req('PUT', `${C}/wish-settings`, { json: { max_open_claims: 4 } });
  assert.equal(put.status, 200, put.text);
  assert.equal(put.data.max_open_claims, 4);
  assert.match(audit(`entity = 'wish_settings'`), /^request\|wish_settings\|.*\nupdate\|wish_settings\|.*"max_open_claims":4/);
  assert.equal((await hoarder.post(`${C}/wishes/${ids[3]}/claims`, { pledge: true })).status, 201, 'four now');
  assert.equal((await staff.req('PUT', `${C}/wish-settings`, { json: { max_open_claims: 3 } })).status, 200);
});

test('M7: the limit holds for claims sent at once, and an empty donor_name is still one\'s own claim', async () => {
  let greedy, open;
  for (let round = 0; round < 3; round++) {
    const ids = [];
    for (let i = 0; i < 6; i++) ids.push(await published({ title: `并发心愿${"甲乙丙"[round]}${i}` }));
    greedy = await accountOf(srv, `greedy${round}`, 'resident', '抢单者');
    const rs = await Promise.all(ids.map((id) => greedy.post(`${C}/wishes/${id}/claims`, { pledge: true })));
    assert.equal(rs.filter((r) => r.status === 201).length, 3, rs.map((r) => r.status).join(','));
    assert.ok(rs.filter((r) => r.status !== 201).every((r) => r.status === 409 && r.data.error.code === 'claim_limit_reached'));
    open = ids.filter((id, i) => rs[i].status !== 201);
  }
  // "donor_name": "" made a claim of no account (so no limit, no block) before.
  const sneaky = await greedy.post(`${C}/wishes/${open[0]}/claims`, { pledge: true, donor_name: '' });
  assert.equal(sneaky.status, 409, sneaky.text);
  assert.equal(sneaky.data.error.code, 'claim_limit_reached');
  assert.equal((await greedy.post(`${C}/wishes/${open[0]}/claims`, { pledge: true, donor_name: '别人' })).status, 403, 'only staff name a donor');
  // Staff entering claims for donors on a campaign day are not held to one donor's limit.
  const staff = await accountOf(srv, 'campaign-day', 'staff');
  for (const id of open) assert.equal((await staff.post(`${C}/wishes/${id}/claims`, { pledge: true, donor_name: `现场认领人${id}` })).status, 201);
});

test('M7: a donor who let a claim lapse cannot claim that wish again within its campaign', async () => {
  const today = chinaDay(now());
  const camp = await admin.post(`${C}/wish-campaigns`, { title: '安全测试活动', starts_on: today, ends_on: chinaDay(now() + 60 * 86400), fulfil_days: 30 });
  assert.equal(camp.status, 201, camp.text);
  const id = await published({ title: '一双棉鞋', story: '长者冬天脚冷，想要一双棉鞋。', campaign_id: camp.data.id });
  const lapser = await accountOf(srv, 'lapser', 'resident', '拖延者');
  assert.equal((await lapser.post(`${C}/wishes/${id}/claims`, { pledge: true })).status, 201);
  srv.setClock(8 * 86400); // no contact in 7 days: the sweep releases it
  try {
    assert.equal(await wallStatus(id), 'published');
    const again = await lapser.post(`${C}/wishes/${id}/claims`, { pledge: true });
    assert.equal(again.status, 409, again.text);
    assert.equal(again.data.error.code, 'claim_lapsed');
    assert.equal(await wallStatus(id), 'published');
    assert.equal((await (await accountOf(srv, 'next-donor')).post(`${C}/wishes/${id}/claims`, { pledge: true })).status, 201);
  } finally {
    srv.setClock(0);
  }
});

test('M7: staff or the claimer release a claim with a reason (audited); the wish is open again', async () => {
  const a = await published({ title: '一个电饭煲' }), b = await published({ title: '一台风扇' });
  const donor = await accountOf(srv, 'releaser', 'resident', '放弃者');
  const stranger = await accountOf(srv, 'stranger');
  assert.equal((await donor.post(`${C}/wishes/${a}/claims`, { pledge: true })).status, 201);
  assert.equal((await donor.post(`${C}/wishes/${b}/claims`, { pledge: true })).status, 201);
  const rel = (c, id, body) => c.post(`${C}/wishes/${id}/claims/release`, body);
  const noReason = await rel(donor, a, {});
  assert.equal(noReason.status, 422, noReason.text);
  assert.ok(noReason.data.error.fields.reason);
  assert.equal((await rel(donor, a, { reason: '  ' })).status, 422);
  const notMine = await rel(stranger, a, { reason: '我想要' });
  assert.equal(notMine.status, 403, notMine.text);
  assert.equal(await wallStatus(a), 'claimed', 'nothing changed');
  // The claimer lets it go.
  const mine = await rel(donor, a, { reason: '家里有事，无法完成' });
  assert.equal(mine.status, 200, mine.text);
  assert.equal(mine.data.status, 'published');
  assert.equal(await wallStatus(a), 'published');
  let detail = (await admin.get(`${C}/wishes/${a}`)).data;
  assert.equal(detail.status, 'published');
  assert.equal(detail.claims[0].status, 'released');
  assert.equal(detail.claims[0].release_reason, '家里有事，无法完成');
  // Letting it go is letting it lapse: not claimed again by them in its campaign (this one has none).
  assert.equal((await donor.post(`${C}/wishes/${a}/claims`, { pledge: true })).data.error.code, 'claim_lapsed');
  // Staff release the other.
  const sw = await accountOf(srv, 'sw-release', 'social_worker');
  const st = await rel(sw, b, { reason: '认领人联系不上' });
  assert.equal(st.status, 200, st.text);
  assert.equal(st.data.status, 'published');
  detail = (await admin.get(`${C}/wishes/${b}`)).data;
  assert.equal(detail.claims[0].release_reason, '认领人联系不上');
  assert.equal((await rel(sw, b, { reason: '再放一次' })).data.error.code, 'no_active_claim');
  const rows = audit(`entity = 'wish_claim' AND action = 'release'`);
  assert.match(rows, /家里有事，无法完成/);
  assert.match(rows, /认领人联系不上/);
  assert.equal(srv.cli(['audit', 'verify']).status, 0);
});

test('M7: staff block a donor with a reason (audited); a blocked donor\'s claim is refused with 403', async () => {
  const id = await published({ title: '一把雨伞' }), id2 = await published({ title: '一个保温杯' });
  const bad = await accountOf(srv, 'blocked-donor', 'resident', '被限制者');
  assert.equal((await bad.post(`${C}/wishes/${id2}/claims`, { pledge: true })).status, 201);
  const sw = await accountOf(srv, 'sw-block', 'social_worker');
  const resident = await accountOf(srv, 'nosy');
  assert.equal((await resident.post(`${C}/wish-donors/${bad.id}/block`, { reason: 'x' })).status, 403);
  assert.equal((await sw.post(`${C}/wish-donors/${bad.id}/block`, {})).status, 422);
  assert.equal((await sw.post(`${C}/wish-donors/99999999/block`, { reason: 'x' })).status, 404);
  const b = await sw.post(`${C}/wish-donors/${bad.id}/block`, { reason: '多次认领不兑现', release_claims: true });
  assert.equal(b.status, 200, b.text);
  assert.equal(b.data.blocked, true);
  assert.equal(b.data.reason, '多次认领不兑现');
  assert.equal(b.data.released, 1);
  assert.equal(await wallStatus(id2), 'published', 'its claims were released with the block');
  const refused = await bad.post(`${C}/wishes/${id}/claims`, { pledge: true });
  assert.equal(refused.status, 403, refused.text);
  assert.equal(refused.data.error.code, 'donor_blocked');
  assert.equal(await wallStatus(id), 'published');
  const list = await sw.get(`${C}/wish-donors`);
  assert.equal(list.status, 200, list.text);
  assert.ok(list.data.items.some((d) => d.account_id === bad.id && d.reason === '多次认领不兑现'));
  assert.match(audit(`entity = 'wish_donor'`), /^block\|wish_donor\|.*多次认领不兑现/);
  assert.equal((await sw.post(`${C}/wish-donors/${bad.id}/unblock`, {})).status, 422);
  const u = await sw.post(`${C}/wish-donors/${bad.id}/unblock`, { reason: '已当面说明' });
  assert.equal(u.status, 200, u.text);
  assert.equal(u.data.blocked, false);
  assert.equal((await bad.post(`${C}/wishes/${id}/claims`, { pledge: true })).status, 201);
  assert.match(audit(`entity = 'wish_donor'`), /unblock\|wish_donor\|.*已当面说明/);
});

// ---- M5: certificates ----

test('M5: the public check shows details only with the certificate\'s key; a wrong key reads like no certificate', async () => {
  const v = await volunteer('certified');
  assert.equal((await admin.post(`${C}/hours/entries`, { volunteer_id: v.id, served_on: chinaDay(now() - 86400), minutes: 120, description: '测试', reason: '补录' })).status, 201);
  const issued = await admin.post(`${C}/volunteers/${v.id}/certificates`, { from: `${year - 1}-01-01`, to: `${year}-12-31` });
  assert.equal(issued.status, 201, issued.text);
  const { serial, verify_token: key } = issued.data;
  assert.match(key ?? '', /^[A-Za-z0-9_-]{16,}$/, 'a random key of at least 64 bits (here 96 or more)');
  assert.equal(issued.data.verify_path, `/verify/${serial}?k=${key}`);
  // Without the key: only whether it is valid. No name, number, hours or ID number.
  const bare = await pub().get(`/api/v1/certificates/${serial}`);
  assert.equal(bare.status, 200);
  assert.deepEqual(bare.data, { valid: true });
  // With it: what it says.
  const full = await pub().get(`/api/v1/certificates/${serial}?k=${key}`);
  assert.equal(full.status, 200);
  assert.equal(full.data.valid, true);
  assert.equal(full.data.status, 'valid');
  assert.equal(full.data.volunteer.name, '志愿者certified');
  assert.equal(full.data.hours, 2);
  assert.equal(full.data.verify_token, undefined, 'the key is not repeated to the public');
  // A wrong key, an unknown serial with or without a key, and a neighbour's serial: the very same answer.
  const wrong = await pub().get(`/api/v1/certificates/${serial}?k=${key.replace(/.$/, (ch) => (ch === 'A' ? 'B' : 'A'))}`);
  const unknownKey = await pub().get(`/api/v1/certificates/${srv.communityId}-${year}-999999?k=${key}`);
  const unknown = await pub().get(`/api/v1/certificates/${srv.communityId}-${year}-999999`);
  for (const r of [wrong, unknownKey, unknown]) {
    assert.equal(r.status, 200);
    assert.equal(r.text, '{"valid":false}');
  }
  // The staff copy and the volunteer's own list carry the key (the print page puts it in the QR code).
  const staffCopy = await admin.get(`${C}/certificates/${issued.data.id}`);
  assert.equal(staffCopy.data.verify_token, key);
  const mine = await v.client.get(`${C}/volunteers/me/certificates`);
  assert.equal(mine.data.items[0].verify_token, key);
  assert.equal(mine.data.items[0].verify_path, `/verify/${serial}?k=${key}`);
  // Each certificate has its own key.
  const second = await admin.post(`${C}/volunteers/${v.id}/certificates`, { from: `${year}-01-01`, to: `${year}-12-31` });
  assert.notEqual(second.data.verify_token, key);
  assert.equal((await pub().get(`/api/v1/certificates/${second.data.serial}?k=${key}`)).text, '{"valid":false}', 'a key opens only its own certificate');
  // A revoked certificate: invalid without the key, and with it the reason.
  assert.equal((await admin.post(`${C}/certificates/${second.data.id}/revoke`, { reason: '重新开具' })).status, 200);
  assert.deepEqual((await pub().get(`/api/v1/certificates/${second.data.serial}`)).data, { valid: false });
  const revoked = await pub().get(`/api/v1/certificates/${second.data.serial}?k=${second.data.verify_token}`);
  assert.equal(revoked.data.status, 'revoked');
  assert.equal(revoked.data.revoked_reason, '重新开具');
  // The QR code carries the key; a key of other characters is refused.
  const qr = await pub().get(`/api/v1/certificates/${serial}/qr.svg?k=${key}`);
  assert.equal(qr.status, 200);
  assert.match(qr.text, /^<svg/);
  assert.notEqual(qr.text, (await pub().get(`/api/v1/certificates/${serial}/qr.svg`)).text, 'the code with the key is another code');
  assert.equal((await pub().get(`/api/v1/certificates/${serial}/qr.svg?k=%3Cscript%3E`)).status, 404);
});

test('M5: certificates issued before the keys existed get one from the migration', async () => {
  // The database as it was before the migration: no key column, the migration not recorded. The
  // server applies it again when it starts.
  const v = await volunteer('oldcert');
  const c = await admin.post(`${C}/volunteers/${v.id}/certificates`, { from: `${year}-01-01`, to: `${year}-12-31` });
  assert.equal(c.status, 201, c.text);
  const before = Number(srv.sql('SELECT count(*) FROM vol_certificates'));
  assert.ok(before >= 3);
  srv.sql("ALTER TABLE vol_certificates DROP COLUMN verify_token; DELETE FROM schema_migrations WHERE name = '0220_certificate_keys'");
  await srv.kill('SIGTERM');
  await srv.restart();
  admin.base = srv.base;
  assert.equal(srv.sql('SELECT count(*) FROM vol_certificates WHERE verify_token IS NULL'), '0', 'every old certificate has a key');
  assert.equal(srv.sql('SELECT count(DISTINCT verify_token) FROM vol_certificates'), String(before), 'each its own');
  assert.equal(srv.sql('SELECT count(*) FROM vol_certificates WHERE length(verify_token) < 32'), '0', '128 bits, hex');
  // The old paper (no key in its QR code) checks as valid only; reprinted, it carries the new key.
  assert.deepEqual((await pub().get(`/api/v1/certificates/${c.data.serial}`)).data, { valid: true });
  const key = (await admin.get(`${C}/certificates/${c.data.id}`)).data.verify_token;
  assert.notEqual(key, c.data.verify_token);
  assert.equal((await pub().get(`/api/v1/certificates/${c.data.serial}?k=${key}`)).data.volunteer.name, '志愿者oldcert');
  assert.equal((await pub().get(`/api/v1/certificates/${c.data.serial}?k=${c.data.verify_token}`)).text, '{"valid":false}');
  assert.equal((await pub().get(`/api/v1/certificates/${c.data.serial}?k=`)).text, '{"valid":false}');
});

// Last: it leaves this address throttled.
test('M5: public lookups are throttled per address: 429 with Retry-After', async () => {
  const client = pub();
  let limited = null, answered = 0;
  for (let i = 0; i < 80 && !limited; i++) {
    const r = await client.get(`/api/v1/certificates/${srv.communityId}-${year}-${String(100000 + i).padStart(6, '0')}`);
    if (r.status === 429) limited = r;
    else { assert.equal(r.status, 200); answered++; }
  }
  assert.ok(limited, 'eighty guesses in a row were all answered');
  assert.ok(answered >= 10 && answered <= 30, `${answered} guesses answered before the throttle`);
  assert.equal(limited.data.error.code, 'rate_limited');
  assert.ok(Number(limited.headers.get('retry-after')) >= 1);
});
