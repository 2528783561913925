// The part of `make bench` (scripts/bench.sh) that goes through the API of a running server, after
// `linli init --demo` and `linli seed`: as the admin (staff of the demo community) it keys in,
// verifies and publishes WISHES paper wishes for the wall, and adds an activity with 1,040 shifts a
// year and more ahead (outside every default time window, so the read scenarios do not see them) for
// the check-in burst; the first seeded volunteer signs up for a few upcoming shifts. Then it writes
// the request lines of the two write bursts for scripts/bench/burst.lua, each split in two halves
// (one for 64 connections, one for 512), every line used once:
//   votes-64.tsv, votes-512.tsv        one vote per verified resident, each with its own session
//   checkins-64.tsv, checkins-512.tsv  a coordinator checks a volunteer in (shift, volunteer pairs)
// and admin.env (ADMIN_COOKIE, ADMIN_CSRF) and volunteer.env (VOL_COOKIE) for the script.
// usage: node setup.mjs BASE_URL COMMUNITY_ID ADMIN_PASSWORD SESSIONS_FILE OUT_DIR WISHES
import { readFileSync, writeFileSync } from 'node:fs';

const [base, cid, password, sessionsFile, out, wishesArg] = process.argv.slice(2);
const api = `${base}/api/v1/communities/${cid}`;

async function call(method, url, { cookie, csrf, body } = {}) {
  const headers = { 'Content-Type': 'application/json' };
  if (cookie) headers.Cookie = `linli_session=${cookie}`;
  if (csrf) headers['X-CSRF-Token'] = csrf;
  const res = await fetch(url, { method, headers, body: body ? JSON.stringify(body) : undefined,
                                 signal: AbortSignal.timeout(30000) });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON: kept as text below */ }
  return { status: res.status, json, text, headers: res.headers };
}

function must(r, what) {
  if (r.status < 200 || r.status >= 300) throw new Error(`${what}: HTTP ${r.status} ${r.text.slice(0, 300)}`);
  return r.json;
}

// The admin logs in.
const login = await call('POST', `${base}/api/v1/session`, { body: { login: 'admin', password } });
const adminCsrf = must(login, 'admin login').csrf_token;
const adminCookie = /linli_session=([^;]+)/.exec(login.headers.get('set-cookie'))[1];
const admin = { cookie: adminCookie, csrf: adminCsrf };
writeFileSync(`${out}/admin.env`, `ADMIN_COOKIE=${adminCookie}\nADMIN_CSRF=${adminCsrf}\n`);

// Hundreds of wishes on the wall: keyed in from paper forms, verified by phone, published.
const compounds = must(await call('GET', `${api}/compounds?limit=100`, admin), 'compounds').items.map((c) => c.id);
const kinds = [
  ['goods', 'blue', '一个新书包', '上小学的孩子书包已经破了，希望有一个新书包。', 12000],
  ['goods', 'blue', '血压计', '患高血压的长者，希望在家能随时量血压。', 19800],
  ['service', 'yellow', '陪长者去医院复诊', '行动不便的独居长者，每月需要去医院复诊，希望有志愿者陪同。', 0],
  ['goods', 'red', '一台轮椅', '腿脚受伤的长者出院回家，暂时需要一台轮椅。', 45000],
  ['cash', 'yellow', '冬季棉被', '困难长者家庭，冬天被子太薄，希望添两床棉被。', 30000],
  ['goods', 'blue', '护眼台灯', '家里光线不好，孩子晚上写作业看不清，想要一盏护眼台灯。', 15000],
];
const nwishes = Number(wishesArg);
for (let i = 0; i < nwishes; i++) {
  const [category, urgency, title, story, fen] = kinds[i % kinds.length];
  const w = must(await call('POST', `${api}/wishes`, { ...admin, body: {
    category, urgency, title, story, beneficiary_name: `居民${i + 1}`, address: `${i % 12 + 1}栋`, contact: '由社区工作人员联系',
    compound_id: compounds[i % compounds.length], estimated_fen: fen, consent: true, source: 'paper',
    paper_serial: `BENCH-${i + 1}` } }), 'wish');
  must(await call('POST', `${api}/wishes/${w.id}/verify`, { ...admin, body: { method: 'phone' } }), 'verify');
  must(await call('POST', `${api}/wishes/${w.id}/decision`, { ...admin, body: { decision: 'publish' } }), 'publish');
}

// The sessions made by `linli seed`.
const voters = [], volunteers = [];
for (const line of readFileSync(sessionsFile, 'utf8').split('\n')) {
  const [kind, cookie, csrf, id] = line.split(' ');
  if (kind === 'voter') voters.push({ cookie, csrf });
  if (kind === 'volunteer') volunteers.push({ cookie, csrf, id: Number(id) });
}
if (!voters.length || !volunteers.length) throw new Error(`no voter or volunteer sessions in ${sessionsFile}`);
const vol = volunteers[0];
writeFileSync(`${out}/volunteer.env`, `VOL_COOKIE=${vol.cookie}\n`);

// The first volunteer signs up for upcoming shifts (some need a training or are for adults only).
const upcoming = must(await call('GET', `${api}/shifts`, vol), 'shifts').items;
let signed = 0;
for (const s of upcoming) {
  if (signed >= 4) break;
  if ((await call('POST', `${api}/shifts/${s.id}/signup`, vol)).status === 200) signed++;
}

// The check-in burst's shifts: 20 a day on 52 weeks, starting 400 days from now.
const activity = must(await call('POST', `${api}/activities`, { ...admin, body: { title: '基准测试签到', kind: 'event', place: 'bench' } }), 'activity');
const shifts = [];
const start = Math.floor(Date.now() / 1000) + 400 * 86400;
for (let h = 0; h < 20; h++) {
  const s = start + h * 3600;
  const r = must(await call('POST', `${api}/activities/${activity.id}/shifts`, { ...admin, body: {
    starts_at: s, ends_at: s + 3600, capacity: 200, repeat_weeks: 52 } }), 'shifts');
  shifts.push(...r.items.map((x) => x.id));
}

// The voting round and its proposals (single choice: one each, in turn).
const rounds = must(await call('GET', `${api}/grant-rounds`), 'rounds').items.filter((r) => r.phase === 'voting');
if (!rounds.length) throw new Error('no round in its voting phase');
const round = rounds[0].id;
const proposals = must(await call('GET', `${api}/grant-rounds/${round}/proposals`), 'proposals').items.map((p) => p.id);

function halves(name, lines) {
  const half = Math.floor(lines.length / 2);
  writeFileSync(`${out}/${name}-64.tsv`, lines.slice(0, half).join('\n') + '\n');
  writeFileSync(`${out}/${name}-512.tsv`, lines.slice(half).join('\n') + '\n');
}
const path = new URL(api).pathname;
halves('votes', voters.map((v, i) =>
  [v.cookie, v.csrf, `${path}/grant-rounds/${round}/votes`, JSON.stringify({ proposal_ids: [proposals[i % proposals.length]] })].join('\t')));
const pairs = [];
for (const s of shifts)
  for (const v of volunteers)
    pairs.push([admin.cookie, admin.csrf, `${path}/shifts/${s}/attendance`, JSON.stringify({ volunteer_id: v.id, action: 'checkin' })].join('\t'));
halves('checkins', pairs);
console.log(`bench setup: ${nwishes} wishes published, ${shifts.length} check-in shifts, ${voters.length} voters, ` +
            `${pairs.length} check-in pairs, the volunteer signed up for ${signed} upcoming shifts`);
