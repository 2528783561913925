// Module 2, volunteers: registration and approval, minors, trainings, shifts with capacity and a
// waitlist, the race for the last seat, QR check-in and check-out, hour caps, automatic check-out,
// approvals, corrections, star levels, the awards ranking, certificates and the calendar feed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, assertCleanExit, account as accountOf } from './harness.mjs';

let srv, admin, C, year, now;
const vols = {}; // login → { client, id }

const account = (login, role = 'resident') => accountOf(srv, login, role);

// A resident applies, staff approve; the account becomes a volunteer (and logs in again for the role).
async function volunteer(login, body = {}) {
  const c = await account(login);
  const r = await c.post(`${C}/volunteers`, { name: `志愿者${login}`, birth_year: year - 30, ...body });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.data.status, 'pending');
  const ok = await admin.post(`${C}/volunteers/${r.data.id}/decision`, { decision: 'approve' });
  assert.equal(ok.status, 200, ok.text);
  assert.match(ok.data.number, /^V\d{5}$/);
  vols[login] = { client: c, id: r.data.id };
  return vols[login];
}

let activity, training;
async function shift(extra = {}) {
  const start = now + 2 * 86400;
  const r = await admin.post(`${C}/activities/${activity}/shifts`, { starts_at: start, ends_at: start + 7200, capacity: 2, ...extra });
  assert.equal(r.status, 201, r.text);
  return r.data.items[0];
}

before(async () => {
  srv = await startServer({ residents: 50 });
  admin = new Client(srv.base);
  await admin.login('admin', srv.password);
  C = `/api/v1/communities/${srv.communityId}`;
  now = Math.floor(Date.now() / 1000);
  year = new Date(Date.now() + 8 * 3600e3).getUTCFullYear();
  const a = await admin.post(`${C}/activities`, { title: '测试服务', kind: 'event', place: '康乐活动室', organiser: '文华社区居委会', grace_minutes: 30 });
  assert.equal(a.status, 201, a.text);
  activity = a.data.id;
  const t = await admin.post(`${C}/trainings`, { title: '志愿服务理念培训（测试）', held_at: now - 86400 });
  training = t.data.id;
});
after(async () => { if (srv) assertCleanExit(assert, await srv.stop()); });

test('the demo team has the 109 registered volunteers of the article', async () => {
  const r = await admin.get(`${C}/volunteers?status=approved&limit=1`);
  assert.equal(r.status, 200);
  assert.equal(r.data.total, 109);
  const home = await admin.get(C);
  assert.equal(home.data.stats.volunteers, 109);
  const minors = await admin.get(`${C}/volunteers?status=approved&limit=500`);
  assert.ok(minors.data.items.some((v) => v.is_minor && v.guardian_consent), 'youth volunteers with consent');
  const acts = (await admin.get(`${C}/activities?limit=50`)).data.items.map((x) => x.title);
  for (const t of ['公益集市', '邻里趣味运动会', '平安居家教育宣传', '敬老院恒常服务']) assert.ok(acts.includes(t), t);
  const upcoming = await admin.get(`${C}/shifts`);
  assert.ok(upcoming.data.total > 5);
  const bad = await admin.get(`${C}/volunteers?status=maybe`);
  assert.equal(bad.status, 422);
});

test('registration: approval gives a number, declining needs a reason, minors need a guardian', async () => {
  await volunteer('v1');
  const c = await account('applicant');
  const noGuardian = await c.post(`${C}/volunteers`, { name: '小明', birth_year: year - 15 });
  assert.equal(noGuardian.status, 422);
  assert.ok(noGuardian.data.error.fields.guardian_name);
  const r = await c.post(`${C}/volunteers`, { name: '小明', birth_year: year - 15, guardian_name: '王家长' });
  assert.equal(r.status, 201);
  assert.equal(r.data.is_minor, true);
  assert.equal((await c.post(`${C}/volunteers`, { name: '小明', birth_year: year - 15, guardian_name: '王家长' })).status, 409);
  const noReason = await admin.post(`${C}/volunteers/${r.data.id}/decision`, { decision: 'decline' });
  assert.equal(noReason.status, 422);
  const declined = await admin.post(`${C}/volunteers/${r.data.id}/decision`, { decision: 'decline', reason: '请先参加培训' });
  assert.equal(declined.data.status, 'declined');
  assert.equal((await c.get(`${C}/volunteers/me`)).data.decline_reason, '请先参加培训');
  assert.equal((await admin.post(`${C}/volunteers/${r.data.id}/decision`, { decision: 'approve' })).status, 409);
  // A resident cannot approve, nor register someone else.
  assert.equal((await c.post(`${C}/volunteers/${r.data.id}/decision`, { decision: 'approve' })).status, 403);
  assert.equal((await c.post(`${C}/volunteers`, { name: '别人', birth_year: 1980, for_someone: true })).status, 403);
  // Staff register someone who came to the office.
  const office = await admin.post(`${C}/volunteers`, { name: '李阿姨', birth_year: 1958, for_someone: true, phone: '13700001234' });
  assert.equal(office.status, 201);
  assert.equal(office.data.account_id, null);
});

test('sign-up fills seats, then the waitlist; a cancellation promotes the first waiting', async () => {
  await volunteer('v2');
  await volunteer('v3');
  const s = await shift({ capacity: 2 });
  assert.equal((await vols.v1.client.post(`${C}/shifts/${s.id}/signup`)).data.my_status, 'confirmed');
  assert.equal((await vols.v2.client.post(`${C}/shifts/${s.id}/signup`)).data.my_status, 'confirmed');
  const w = await vols.v3.client.post(`${C}/shifts/${s.id}/signup`);
  assert.equal(w.data.my_status, 'waitlist');
  assert.equal(w.data.confirmed, 2);
  assert.equal(w.data.waitlist, 1);
  assert.equal((await vols.v1.client.post(`${C}/shifts/${s.id}/signup`)).status, 409);
  const c = await vols.v1.client.post(`${C}/shifts/${s.id}/cancel`);
  assert.equal(c.status, 200);
  assert.equal(c.data.my_status, 'cancelled');
  const twice = await vols.v1.client.post(`${C}/shifts/${s.id}/cancel`);
  assert.equal(twice.status, 409, 'cancelled already: a conflict a retrying client can recognise');
  assert.equal(twice.data.error.code, 'already_cancelled');
  const mine = await vols.v3.client.get(`${C}/shifts/mine`);
  assert.equal(mine.data.items.find((x) => x.id === s.id).my_status, 'confirmed');
  const roster = await admin.get(`${C}/shifts/${s.id}/roster`);
  assert.deepEqual(roster.data.items.map((x) => x.status).sort(), ['confirmed', 'confirmed']);
  // After the deadline nobody cancels by themselves.
  srv.setClock(2 * 86400 - 3000);
  const late = await vols.v2.client.post(`${C}/shifts/${s.id}/cancel`);
  assert.equal(late.status, 409);
  assert.equal(late.data.error.code, 'cancel_deadline_passed');
  srv.setClock(0);
  // Residents who are not volunteers cannot sign up.
  const outsider = await account('outsider');
  assert.equal((await outsider.post(`${C}/shifts/${s.id}/signup`)).status, 403);
});

test('two volunteers racing for the last seat: exactly one gets it', async () => {
  await volunteer('v4');
  await volunteer('v5');
  const s = await shift({ capacity: 1 });
  const rs = await Promise.all(['v2', 'v3', 'v4', 'v5'].map((v) => vols[v].client.post(`${C}/shifts/${s.id}/signup`)));
  for (const r of rs) assert.equal(r.status, 200, r.text);
  const statuses = rs.map((r) => r.data.my_status).sort();
  assert.deepEqual(statuses, ['confirmed', 'waitlist', 'waitlist', 'waitlist']);
  const seen = (await admin.get(`${C}/activities/${activity}`)).data.shifts.find((x) => x.id === s.id);
  assert.equal(seen.confirmed, 1);
});

test('minors: adults-only shifts refuse them, and they need a guardian consent on record', async () => {
  const c = await account('teen');
  const r = await c.post(`${C}/volunteers`, { name: '小华', birth_year: year - 16, guardian_name: '华妈妈' });
  await admin.post(`${C}/volunteers/${r.data.id}/decision`, { decision: 'approve' });
  vols.teen = { client: c, id: r.data.id };
  const adults = await shift({ adults_only: true });
  const refused = await c.post(`${C}/shifts/${adults.id}/signup`);
  assert.equal(refused.status, 422);
  assert.equal(refused.data.error.code, 'adults_only');
  const open = await shift();
  const noConsent = await c.post(`${C}/shifts/${open.id}/signup`);
  assert.equal(noConsent.data.error.code, 'guardian_consent_missing');
  assert.equal((await admin.post(`${C}/volunteers/${r.data.id}/guardian-consent`, { guardian_name: '华妈妈' })).status, 200);
  assert.equal((await c.post(`${C}/shifts/${open.id}/signup`)).data.my_status, 'confirmed');
});

test('a shift that requires a training says which one is missing', async () => {
  const s = await shift({ training_id: training });
  const r = await vols.v4.client.post(`${C}/shifts/${s.id}/signup`);
  assert.equal(r.status, 422);
  assert.equal(r.data.error.code, 'training_required');
  assert.match(r.data.error.fields.training_id, /志愿服务理念培训（测试）/);
  assert.equal((await admin.post(`${C}/trainings/${training}/attendance`, { volunteer_ids: [vols.v4.id] })).status, 200);
  assert.equal((await vols.v4.client.post(`${C}/shifts/${s.id}/signup`)).data.my_status, 'confirmed');
});

test('QR check-in and check-out: a double scan counts once, an expired or forged token is refused', async () => {
  const s = await shift({ capacity: 5 });
  await vols.v5.client.post(`${C}/shifts/${s.id}/signup`);
  srv.setClock(2 * 86400 - 600); // ten minutes before the start
  const qr = await admin.get(`${C}/shifts/${s.id}/qr`);
  assert.equal(qr.status, 200);
  assert.match(qr.data.svg, /^<svg/);
  assert.match(qr.data.url, /\/m\/checkin\?/);
  const scan = (t = qr.data.token) => vols.v5.client.post(`${C}/shifts/${s.id}/scan`, { token: t });
  assert.equal((await scan()).data.state, 'checked_in');
  assert.equal((await scan()).data.state, 'already_checked_in');
  const forged = qr.data.token.replace(/.$/, (ch) => (ch === '0' ? '1' : '0'));
  assert.equal((await scan(forged)).data.error.code, 'qr_invalid');
  // Only the token exactly as minted: not with text after it, nor with a number written another way.
  assert.equal((await scan(`${qr.data.token} x`)).data.error.code, 'qr_invalid');
  assert.equal((await scan(`0${qr.data.token}`)).data.error.code, 'qr_invalid');
  srv.setClock(2 * 86400 + 3600);
  assert.equal((await scan()).data.error.code, 'qr_expired');
  const fresh = await admin.get(`${C}/shifts/${s.id}/qr`);
  const out = await scan(fresh.data.token);
  assert.equal(out.data.state, 'checked_out');
  assert.equal(out.data.minutes, 70);
  assert.equal((await scan(fresh.data.token)).data.state, 'already_checked_out');
  srv.setClock(0);
  const hours = await admin.get(`${C}/hours?volunteer_id=${vols.v5.id}`);
  assert.equal(hours.data.total, 1);
  // A number in the query is a number, all of it (PostgreSQL once answered 500 to "5abc").
  assert.equal((await admin.get(`${C}/hours?volunteer_id=${vols.v5.id}abc`)).status, 422);
  assert.equal((await admin.get(`${C}/volunteers/awards?year=4294969320`)).data.error.fields.year, '年份不正确');
  assert.equal(hours.data.items[0].minutes, 70);
  assert.equal(hours.data.items[0].status, 'pending');
  assert.equal(hours.data.items[0].organiser, '文华社区居委会');
  // Someone not signed up for the shift cannot check in with its code.
  const other = await vols.v1.client.post(`${C}/shifts/${s.id}/scan`, { token: fresh.data.token });
  assert.ok(other.status === 409 || other.status === 422, other.text);
});

test('hours are capped at the shift plus grace; 24 hours checked in means an automatic check-out, flagged', async () => {
  const s = await shift({ capacity: 5 });
  await vols.v1.client.post(`${C}/shifts/${s.id}/signup`);
  await vols.v2.client.post(`${C}/shifts/${s.id}/signup`);
  srv.setClock(2 * 86400);
  const inn = await admin.post(`${C}/shifts/${s.id}/attendance`, { volunteer_id: vols.v1.id, action: 'checkin' });
  assert.equal(inn.data.state, 'checked_in');
  await admin.post(`${C}/shifts/${s.id}/attendance`, { volunteer_id: vols.v2.id, action: 'checkin' });
  srv.setClock(2 * 86400 + 5 * 3600);
  const out = await admin.post(`${C}/shifts/${s.id}/attendance`, { volunteer_id: vols.v1.id, action: 'checkout' });
  assert.equal(out.data.minutes, 150, 'two hours plus thirty minutes of grace');
  srv.setClock(2 * 86400 + 25 * 3600);
  const roster = await admin.get(`${C}/shifts/${s.id}/roster`);
  const v2 = roster.data.items.find((x) => x.volunteer_id === vols.v2.id);
  assert.equal(v2.auto_checkout, true);
  srv.setClock(0);
  const rec = (await admin.get(`${C}/hours?volunteer_id=${vols.v2.id}`)).data.items[0];
  assert.equal(rec.flagged, true);
  assert.equal(rec.reason, 'auto_checkout');
  assert.equal(rec.minutes, 150);
});

test('approval one by one or in bulk, declining with a reason; corrections keep history', async () => {
  const pending = await admin.get(`${C}/hours?status=pending&limit=100`);
  const ids = pending.data.items.map((h) => h.id);
  assert.ok(ids.length >= 3);
  assert.equal((await admin.post(`${C}/hours/decision`, { ids: [ids[0]], decision: 'decline' })).status, 422);
  const d = await admin.post(`${C}/hours/decision`, { ids: [ids[0]], decision: 'decline', reason: '未到岗' });
  assert.deepEqual(d.data.decided, [ids[0]]);
  const bulk = await admin.post(`${C}/hours/decision`, { ids, decision: 'approve' });
  assert.deepEqual(bulk.data.skipped, [ids[0]]);
  assert.equal(bulk.data.decided.length, ids.length - 1);
  // v1 had 150 approved minutes; a correction to 120 adds a record and leaves the old one.
  const before = (await admin.get(`${C}/volunteers/${vols.v1.id}`)).data.hours;
  assert.equal(before, 2.5);
  const rec = (await admin.get(`${C}/hours?volunteer_id=${vols.v1.id}`)).data.items[0];
  const fix = await admin.post(`${C}/hours/${rec.id}/correct`, { minutes: 120, reason: '签退时间登记有误' });
  assert.equal(fix.status, 201, fix.text);
  assert.equal(fix.data.corrects_id, rec.id);
  assert.equal(fix.data.source, 'correction');
  const all = (await admin.get(`${C}/hours?volunteer_id=${vols.v1.id}`)).data.items;
  assert.equal(all.length, 2);
  assert.equal(all.find((h) => h.id === rec.id).corrected_by_id, fix.data.id);
  assert.equal(all.find((h) => h.id === rec.id).minutes, 150);
  assert.equal((await admin.get(`${C}/volunteers/${vols.v1.id}`)).data.hours, 2);
  assert.equal((await admin.post(`${C}/hours/${rec.id}/correct`, { minutes: 100, reason: 'x' })).status, 409);
  // A volunteer reports hours away from a shift; staff enter offline work with a reason.
  const rep = await vols.v3.client.post(`${C}/hours`, { served_on: `${year}-01-05`, minutes: 90, description: '帮独居长者买菜' });
  assert.equal(rep.status, 201, rep.text);
  assert.equal(rep.data.status, 'pending');
  assert.equal(rep.data.source, 'self_report');
  const future = await vols.v3.client.post(`${C}/hours`, { served_on: `${year + 1}-01-05`, minutes: 90, description: 'x' });
  assert.equal(future.status, 422);
  const noReason = await admin.post(`${C}/hours/entries`, { volunteer_id: vols.v3.id, served_on: `${year}-01-06`, minutes: 60, description: '整理档案' });
  assert.equal(noReason.status, 422);
  const entry = await admin.post(`${C}/hours/entries`, { volunteer_id: vols.v3.id, served_on: `${year}-01-06`, minutes: 60, description: '整理档案', reason: '线下纸质签到表补录' });
  assert.equal(entry.data.status, 'approved');
  assert.equal(entry.data.recorded_by, 'admin');
  assert.equal(srv.cli(['audit', 'verify']).status, 0);
});

test('star levels follow the community thresholds', async () => {
  assert.equal((await admin.req('PUT', `${C}/volunteer-settings`, { json: { star_thresholds: [1, 2, 2, 4, 5] } })).status, 422);
  // Lower thresholds wait for a second staff member (tests/api/class-rules.test.mjs): one asks, another applies.
  const body = { json: { star_thresholds: [1, 2, 3, 4, 5], issuer_person: '黄志强' } };
  const ask = await (await account('stars-staff', 'staff')).req('PUT', `${C}/volunteer-settings`, body);
  assert.equal(ask.status, 202, ask.text);
  assert.deepEqual(ask.data.pending.star_thresholds, [1, 2, 3, 4, 5]);
  const r = await admin.req('PUT', `${C}/volunteer-settings`, body);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.data.star_thresholds, [1, 2, 3, 4, 5]);
  assert.equal((await admin.get(`${C}/volunteers/${vols.v1.id}`)).data.star, 2); // 2 hours
  await admin.req('PUT', `${C}/volunteer-settings`, { json: { star_thresholds: [100, 300, 600, 1000, 1500] } });
  assert.equal((await admin.get(`${C}/volunteers/${vols.v1.id}`)).data.star, 0);
});

test('the awards ranking breaks ties by number of activities; the public board masks minors', async () => {
  const other = (await admin.post(`${C}/activities`, { title: '另一项服务' })).data.id;
  // Each entry on a day of its own from 1 February: one volunteer gets at most 960 approved minutes a day.
  let days = 0;
  const nextDay = () => new Date(Date.UTC(year, 1, 1 + days++)).toISOString().slice(0, 10);
  const enter = (v, minutes, act) => admin.post(`${C}/hours/entries`, { volunteer_id: v, served_on: nextDay(), minutes, description: '测试', reason: '补录', activity_id: act });
  const minutesOf = async (id) => {
    const items = (await admin.get(`${C}/volunteers/awards?year=${year}&limit=500`)).data.items;
    const it = items.find((x) => x.volunteer.id === id);
    return it ? it.minutes : 0;
  };
  // v4 serves 600 + 600 minutes in two activities; v5 is topped up to the same total in one.
  await enter(vols.v4.id, 600, activity);
  await enter(vols.v4.id, 600, other);
  let gap = (await minutesOf(vols.v4.id)) - (await minutesOf(vols.v5.id));
  assert.ok(gap > 0);
  while (gap > 0) {
    const m = Math.min(gap, 960);
    assert.equal((await enter(vols.v5.id, m, activity)).status, 201);
    gap -= m;
  }
  const ranks = (await admin.get(`${C}/volunteers/awards?year=${year}&limit=500`)).data.items;
  const r4 = ranks.find((x) => x.volunteer.id === vols.v4.id), r5 = ranks.find((x) => x.volunteer.id === vols.v5.id);
  assert.equal(r4.minutes, r5.minutes, 'equal hours');
  assert.ok(r4.activities > r5.activities);
  assert.ok(r4.rank < r5.rank, 'more activities ranks higher');
  assert.equal(typeof r4.hours, 'number');
  const xlsx = await admin.get(`${C}/volunteers/awards?year=${year}&format=xlsx`);
  assert.equal(xlsx.buf.subarray(0, 2).toString(), 'PK');
  // A minor at the top of the public board shows with a masked name.
  for (let i = 0; i < 60; i++) assert.equal((await enter(vols.teen.id, 960, activity)).status, 201);
  const board = await new Client(srv.base).get(`${C}/volunteers/leaderboard?year=${year}`);
  assert.equal(board.status, 200);
  assert.equal(board.data.items[0].volunteer.id, vols.teen.id);
  assert.equal(board.data.items[0].volunteer.name, '小*');
  assert.equal(board.data.items[0].volunteer.number, null);
});

test('certificates verify publicly; a revoked or edited one shows as such', async () => {
  const issued = await admin.post(`${C}/volunteers/${vols.v3.id}/certificates`, { from: `${year}-01-01`, to: `${year}-12-31` });
  assert.equal(issued.status, 201, issued.text);
  assert.equal(issued.data.title, '志愿服务记录证明');
  assert.equal(issued.data.hours, 1);
  assert.match(issued.data.volunteer.number, /^V\d{5}$/);
  assert.ok(issued.data.issuer.name.includes('文华社区'));
  const pub = new Client(srv.base);
  // The QR code's link carries the certificate's key (?k=): with it the check shows the details;
  // without it, only whether it is valid (tests/api/security-volwish.test.mjs).
  const check = (c) => pub.get(`/api/v1/certificates/${c.serial}?k=${c.verify_token}`);
  const ok = await check(issued.data);
  assert.equal(ok.status, 200);
  assert.equal(ok.data.valid, true);
  assert.equal(ok.data.status, 'valid');
  assert.deepEqual((await pub.get(`/api/v1/certificates/${issued.data.serial}`)).data, { valid: true });
  const unknown = await pub.get('/api/v1/certificates/1-2026-999999');
  assert.equal(unknown.data.valid, false);
  // Someone edits the stored certificate to claim more hours.
  srv.sql(`UPDATE vol_certificates SET content = replace(content, '"hours":1', '"hours":100') WHERE serial = '${issued.data.serial}'`);
  const edited = await check(issued.data);
  assert.equal(edited.data.valid, false);
  assert.equal(edited.data.status, 'altered');
  assert.deepEqual((await pub.get(`/api/v1/certificates/${issued.data.serial}`)).data, { valid: false });
  const second = await admin.post(`${C}/volunteers/${vols.v3.id}/certificates`, { from: `${year}-01-01`, to: `${year}-12-31` });
  const rev = await admin.post(`${C}/certificates/${second.data.id}/revoke`, { reason: '重新开具' });
  assert.equal(rev.status, 200);
  const revoked = await check(second.data);
  assert.equal(revoked.data.valid, false);
  assert.equal(revoked.data.status, 'revoked');
});

test('each volunteer has a private calendar feed of their shifts', async () => {
  const link = await vols.v3.client.get(`${C}/volunteers/me/calendar`);
  assert.equal(link.status, 200);
  const ics = await new Client(srv.base).get(link.data.url);
  assert.equal(ics.status, 200);
  assert.match(ics.headers.get('content-type'), /^text\/calendar/);
  assert.match(ics.text, /BEGIN:VCALENDAR[\s\S]*BEGIN:VEVENT[\s\S]*SUMMARY:测试服务/);
  const wrong = await new Client(srv.base).get(link.data.url.replace(/token=.*/, 'token=deadbeef'));
  assert.equal(wrong.status, 404);
});

test('exports of volunteers, rosters and hours', async () => {
  const csv = await admin.get(`${C}/volunteers?format=csv`);
  assert.ok(csv.text.startsWith('\ufeff志愿者编号,姓名'));
  assert.ok(csv.text.split('\r\n').length > 110);
  const hours = await admin.get(`${C}/hours?format=xlsx`);
  assert.equal(hours.buf.subarray(0, 2).toString(), 'PK');
});

test('hours by volunteer and month, and the QR code for a certificate', async () => {
  const m = await admin.get(`${C}/hours/monthly?year=${year}&limit=500`);
  assert.equal(m.status, 200);
  const v3 = m.data.items.filter((x) => x.volunteer_number && x.volunteer_name === '志愿者v3');
  assert.equal(v3.length, 1);
  assert.equal(v3[0].month, `${year}-01`);
  assert.equal(v3[0].hours, 1); // the staff entry; the self-report still waits
  const csv = await admin.get(`${C}/hours/monthly?year=${year}&format=csv`);
  assert.ok(csv.text.startsWith('\ufeff志愿者编号,姓名,月份'));
  const qr = await new Client(srv.base).get('/api/v1/certificates/1004-2026-000001/qr.svg');
  assert.equal(qr.status, 200);
  assert.match(qr.headers.get('content-type'), /image\/svg\+xml/);
  assert.match(qr.text, /^<svg/);
  assert.equal((await new Client(srv.base).get('/api/v1/certificates/x%3Cy/qr.svg')).status, 404);
});

test('a volunteer sees the hours the next star needs; the ID number given is on the certificate, masked', async () => {
  const me = await vols.v1.client.get(`${C}/volunteers/me`);
  assert.equal(me.data.next_star_hours, 100);
  const c = await account('withid');
  const r = await c.post(`${C}/volunteers`, { name: '王有证', birth_year: year - 40, id_number: '11010519491231002X' });
  assert.equal(r.status, 201, r.text);
  await admin.post(`${C}/volunteers/${r.data.id}/decision`, { decision: 'approve' });
  const cert = await admin.post(`${C}/volunteers/${r.data.id}/certificates`, { from: `${year}-01-01`, to: `${year}-12-31` });
  assert.equal(cert.data.volunteer.id_number, '1101**********002X');
  // The weekly nursing-home service falls on Saturdays (China time).
  const act = (await admin.get(`${C}/activities?limit=50`)).data.items.find((a) => a.title === '敬老院恒常服务');
  const shifts = (await admin.get(`${C}/activities/${act.id}`)).data.shifts;
  for (const s of shifts.slice(-5)) assert.equal(new Date((s.starts_at + 8 * 3600) * 1000).getUTCDay(), 6);
});

test('a volunteer lists their own certificates', async () => {
  const mine = await vols.v3.client.get(`${C}/volunteers/me/certificates`);
  assert.equal(mine.status, 200);
  assert.ok(mine.data.items.length >= 2);
  assert.ok(mine.data.items.every((c) => /^\d+-\d{4}-\d+$/.test(c.serial)));
  assert.equal((await vols.v1.client.get(`${C}/volunteers/me/certificates`)).data.total, 0);
});
