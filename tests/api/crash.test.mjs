// Crash recovery. A write load — donations with an Idempotency-Key, votes, volunteer check-ins —
// runs while the server is killed with SIGKILL at random moments, 20 times, and started again on
// the same data each time. The client keeps every write it saw acknowledged (a 2xx answer).
// Afterwards every acknowledged write is there exactly once, no other write is there in part (an
// entry without its postings, a "voted" mark without its ballot, a check-in without its audit
// row), the ledger and the audit chain verify, and a donation sent again with its key posts at most
// once. On PostgreSQL the database server itself is also stopped and started under load, on a
// private throw-away cluster: linli answers 503 while it is away and works again by itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { promisify } from 'node:util';
import { startServer, Client, assertCleanExit, BACKEND, BIN } from './harness.mjs';

const KILLS = 20;
const WORKERS = 4;
const VOTERS = 24; // each account costs two argon2id hashings (CLI, login): a few seconds under ASan
const VOTES_PER_CYCLE = 1;
const CHECKINS_PER_CYCLE = 30; // so that the check-ins last until the last kill
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));
const run = promisify(execFile);

// ---- the write load ----

// Workers send writes until stopped. Each write is recorded as acked (a 2xx answer), refused (an
// answer, not 2xx) or unknown (no answer: the server died under it). While the server is down the
// workers wait for `up`.
class Load {
  constructor(ctx) {
    this.ctx = ctx;
    this.running = false;
    this.ops = [];
    this.next = 0;
    this.votesThisCycle = 0;
    this.checkinsThisCycle = 0;
    this.up = Promise.resolve();
  }

  down() { this.up = new Promise((ok) => { this.setUp = ok; }); }
  back() {
    this.votesThisCycle = 0;
    this.checkinsThisCycle = 0;
    this.setUp();
  }

  pick() {
    const { ctx } = this;
    const k = this.next++ % 4;
    if (k === 1 && ctx.pairs.length && this.checkinsThisCycle < CHECKINS_PER_CYCLE) {
      this.checkinsThisCycle++;
      return { type: 'checkin', pair: ctx.pairs.shift() };
    }
    if (k === 3 && ctx.voters.length && this.votesThisCycle < VOTES_PER_CYCLE) {
      this.votesThisCycle++;
      return { type: 'vote', voter: ctx.voters.shift() };
    }
    return { type: 'donation', n: ctx.donations++ };
  }

  async send(op) {
    const { ctx } = this;
    if (op.type === 'donation') {
      const r = await ctx.admin.post(`${ctx.C}/fund/donations`, donationBody(op.n), { headers: { 'Idempotency-Key': `crash-${op.n}` } });
      return { ok: r.status === 201, r, seq: r.data?.seq };
    }
    if (op.type === 'vote') {
      const proposal = ctx.proposals[op.voter.index % ctx.proposals.length];
      op.proposal = proposal;
      const r = await op.voter.client.post(`${ctx.C}/grant-rounds/${ctx.round}/votes`, { proposal_ids: [proposal] });
      return { ok: r.status === 201, r };
    }
    const [shift, volunteer] = op.pair;
    const r = await ctx.admin.post(`${ctx.C}/shifts/${shift}/attendance`, { volunteer_id: volunteer, action: 'checkin' });
    return { ok: r.status === 200 && r.data.state === 'checked_in', r };
  }

  async worker() {
    while (this.running) {
      await this.up;
      if (!this.running) break;
      const op = this.pick();
      this.ops.push(op);
      try {
        const { ok, r, seq } = await this.send(op);
        op.outcome = ok ? 'acked' : 'refused';
        op.status = r.status;
        op.code = r.data?.error?.code;
        if (seq !== undefined) op.seq = seq;
      } catch {
        op.outcome = 'unknown';
        await sleep(10);
      }
    }
  }

  start() {
    this.running = true;
    this.workers = Array.from({ length: WORKERS }, () => this.worker());
  }

  async stop() {
    this.running = false;
    if (this.setUp) this.setUp();
    await Promise.all(this.workers);
  }

  of(type, outcome) { return this.ops.filter((o) => o.type === type && (!outcome || o.outcome === outcome)); }
}

function donationBody(n) {
  return { amount_fen: 100 + n, method: 'cash', donor_name: '测试捐赠人', receipt_no: `CR${n}`, memo: `crash test ${n}` };
}

// Everything the load needs: the admin, a round open for voting with verified voters, fresh shifts
// and approved volunteers to check in.
async function prepare(srv, { voters = VOTERS } = {}) {
  const admin = new Client(srv.base);
  assert.equal((await admin.login('admin', srv.password)).status, 200);
  const C = `/api/v1/communities/${srv.communityId}`;
  const ctx = { srv, admin, C, donations: 0, voters: [], pairs: [], clients: [admin] };

  const round = (await admin.get(`${C}/grant-rounds`)).data.items.find((r) => r.phase === 'voting');
  assert.ok(round, 'the demo has a round open for voting');
  ctx.round = round.id;
  ctx.proposals = (await admin.get(`${C}/grant-rounds/${round.id}/proposals`)).data.items.filter((p) => p.eligible).map((p) => p.id);
  assert.ok(ctx.proposals.length >= 2);
  const people = (await admin.get(`${C}/people?limit=${voters}`)).data.items;
  assert.equal(people.length, voters);
  // Accounts through the CLI, four at a time; then staff verify each against a registry person.
  const logins = Array.from({ length: voters }, (_, i) => `crashvoter${i}`);
  const pw = join(srv.dir, 'pw-voter');
  writeFileSync(pw, 'crash-voter-pass-1\n');
  for (let i = 0; i < logins.length; i += 4) {
    await Promise.all(logins.slice(i, i + 4).map((login) => run(BIN, ['user', 'add', '--login', login, '--password-file', pw, '--role', 'resident',
      '--community', String(srv.communityId)], { env: srv.env })));
  }
  await Promise.all([0, 1, 2, 3].map(async (k) => {
    for (let i = k; i < logins.length; i += 4) {
      const client = new Client(srv.base);
      const s = await client.login(logins[i], 'crash-voter-pass-1');
      assert.equal(s.status, 200, s.text);
      const v = await admin.post(`${C}/grant-rounds/${round.id}/voters`, { account_id: s.data.account.id, person_id: people[i].id });
      assert.equal(v.status, 201, v.text);
      ctx.voters.push({ index: i, login: logins[i], client, account: s.data.account.id });
      ctx.clients.push(client);
    }
  }));
  ctx.allVoters = [...ctx.voters];

  const a = await admin.post(`${C}/activities`, { title: '崩溃恢复测试', kind: 'event', place: '康乐活动室', organiser: '文华社区居委会', grace_minutes: 30 });
  assert.equal(a.status, 201, a.text);
  const start = Math.floor(Date.now() / 1000) + 86400;
  ctx.shifts = [];
  for (let i = 0; i < 8; i++) {
    const s = await admin.post(`${C}/activities/${a.data.id}/shifts`, { starts_at: start + i * 7200, ends_at: start + i * 7200 + 3600, capacity: 5 });
    assert.equal(s.status, 201, s.text);
    ctx.shifts.push(s.data.items[0].id);
  }
  const vols = (await admin.get(`${C}/volunteers?status=approved&limit=500`)).data.items.map((v) => v.id);
  assert.ok(vols.length >= 100);
  for (const shift of ctx.shifts) for (const v of vols) ctx.pairs.push([shift, v]);
  ctx.fund0 = (await admin.get(`${C}/fund`)).data.balance_fen;
  ctx.votes0 = voteCounts(ctx);
  return ctx;
}

// ---- what the database holds ----

function rows(srv, sql) {
  const out = srv.sql(sql);
  return out ? out.split('\n').map((l) => l.split('|')) : [];
}
const one = (srv, sql) => Number(srv.sql(sql));

function voteCounts(ctx) {
  const { srv } = ctx, cid = srv.communityId, rid = ctx.round;
  return {
    voted: one(srv, `SELECT count(*) FROM grant_voted WHERE community_id = ${cid} AND round_id = ${rid}`),
    ballots: one(srv, `SELECT count(DISTINCT ballot) FROM grant_ballots WHERE community_id = ${cid} AND round_id = ${rid}`),
    choices: one(srv, `SELECT count(*) FROM grant_ballots WHERE community_id = ${cid} AND round_id = ${rid}`),
    audit: one(srv, `SELECT count(*) FROM audit_log WHERE community_id = ${cid} AND action = 'vote' AND entity_id = '${rid}'`),
  };
}

// The test's donations as the database holds them: receipt number → entries (seq, postings, their
// sum, the debit, audit rows), and idempotency key → the stored answer.
function donationState(srv) {
  const cid = srv.communityId;
  const entries = new Map();
  for (const [receipt, seq, npost, sum, debit, naudit] of rows(srv, `SELECT e.receipt_no, e.seq,
      (SELECT count(*) FROM fund_postings p WHERE p.community_id = e.community_id AND p.entry_seq = e.seq),
      (SELECT COALESCE(sum(p.amount_fen), 0) FROM fund_postings p WHERE p.community_id = e.community_id AND p.entry_seq = e.seq),
      (SELECT max(p.amount_fen) FROM fund_postings p WHERE p.community_id = e.community_id AND p.entry_seq = e.seq),
      (SELECT count(*) FROM audit_log a WHERE a.community_id = e.community_id AND a.action = 'donation' AND a.entity = 'fund_entry'
        AND a.entity_id = CAST(e.seq AS TEXT))
      FROM fund_entries e WHERE e.community_id = ${cid} AND e.receipt_no LIKE 'CR%' ORDER BY e.seq`)) {
    if (!entries.has(receipt)) entries.set(receipt, []);
    entries.get(receipt).push({ seq: Number(seq), npost: Number(npost), sum: Number(sum), debit: Number(debit), naudit: Number(naudit) });
  }
  const idem = new Map();
  const seqOf = srv.db.startsWith('sqlite:') ? "json_extract(body, '$.seq')" : "body::json->>'seq'";
  for (const [key, status, seq] of rows(srv, `SELECT idem_key, status, ${seqOf} FROM idempotency WHERE community_id = ${cid}
      AND idem_key LIKE 'crash-%'`)) {
    idem.set(key, { status: Number(status), seq: Number(seq) });
  }
  return { entries, idem };
}

// The whole ledger holds together: no posting without its entry, every entry balanced with two or
// more postings, no donation audit row without its entry.
function assertLedgerWhole(srv) {
  const cid = srv.communityId;
  assert.equal(one(srv, `SELECT count(*) FROM fund_postings p WHERE p.community_id = ${cid} AND NOT EXISTS
    (SELECT 1 FROM fund_entries e WHERE e.community_id = p.community_id AND e.seq = p.entry_seq)`), 0, 'postings without their entry');
  assert.equal(one(srv, `SELECT count(*) FROM fund_entries e WHERE e.community_id = ${cid} AND (
    (SELECT count(*) FROM fund_postings p WHERE p.community_id = e.community_id AND p.entry_seq = e.seq) < 2 OR
    (SELECT sum(p.amount_fen) FROM fund_postings p WHERE p.community_id = e.community_id AND p.entry_seq = e.seq) <> 0)`), 0, 'unbalanced entries');
  assert.equal(one(srv, `SELECT COALESCE(sum(amount_fen), 0) FROM fund_postings WHERE community_id = ${cid}`), 0, 'the ledger balances');
  assert.equal(one(srv, `SELECT count(*) FROM audit_log a WHERE a.community_id = ${cid} AND a.action = 'donation' AND a.entity = 'fund_entry'
    AND NOT EXISTS (SELECT 1 FROM fund_entries e WHERE e.community_id = a.community_id AND CAST(e.seq AS TEXT) = a.entity_id)`), 0,
  'audit rows of donations that are not in the ledger');
}

// A donation the database holds is whole: one entry, two postings summing to zero with the amount
// on the debit side, one audit row, and the stored answer for its key naming that entry.
function assertDonationWhole(state, n, why) {
  const list = state.entries.get(`CR${n}`) || [];
  assert.equal(list.length, 1, `donation ${n} (${why}) is there exactly once`);
  const [e] = list;
  assert.deepEqual({ npost: e.npost, sum: e.sum, debit: e.debit, naudit: e.naudit }, { npost: 2, sum: 0, debit: 100 + n, naudit: 1 },
    `donation ${n} (${why}) has both postings and its audit row`);
  const idem = state.idem.get(`crash-${n}`);
  assert.ok(idem, `donation ${n} (${why}) keeps its answer for its Idempotency-Key`);
  assert.equal(idem.status, 201);
  assert.equal(idem.seq, e.seq);
  return e;
}

function assertDonationAbsent(state, n, why) {
  assert.equal((state.entries.get(`CR${n}`) || []).length, 0, `donation ${n} (${why}) left no entry`);
  assert.equal(state.idem.get(`crash-${n}`), undefined, `donation ${n} (${why}) left no stored answer`);
}

// Checks every donation of the load, then sends each one that was not acknowledged again with its
// key: a replay of what is there, or a fresh single post. Returns the counts for the report.
async function checkDonations(ctx, load) {
  const { srv, admin, C } = ctx;
  assertLedgerWhole(srv);
  let state = donationState(srv);
  const unacked = [];
  for (const op of load.of('donation')) {
    if (op.outcome === 'acked') {
      const e = assertDonationWhole(state, op.n, 'acknowledged');
      assert.equal(e.seq, op.seq, `donation ${op.n}: the entry acknowledged`);
    } else {
      unacked.push(op);
      if (state.entries.has(`CR${op.n}`)) assertDonationWhole(state, op.n, `${op.outcome}, committed`);
      else assertDonationAbsent(state, op.n, op.outcome);
    }
  }
  const attempted = new Set(load.of('donation').map((o) => `CR${o.n}`));
  assert.deepEqual([...state.entries.keys()].filter((k) => !attempted.has(k)), [], 'no donation the client never sent');

  let replays = 0, fresh = 0;
  for (const op of unacked) {
    const before = state.entries.get(`CR${op.n}`);
    const r = await admin.post(`${C}/fund/donations`, donationBody(op.n), { headers: { 'Idempotency-Key': `crash-${op.n}` } });
    assert.equal(r.status, 201, `retry of donation ${op.n}: ${r.text}`);
    if (r.headers.get('idempotent-replay') === 'true') {
      assert.ok(before, `donation ${op.n}: a replay of what is there`);
      assert.equal(r.data.seq, before[0].seq);
      replays++;
    } else {
      assert.equal(before, undefined, `donation ${op.n}: posted afresh only if it was not there`);
      fresh++;
    }
  }
  // Acknowledged ones sent again are replays of the same entry.
  for (const op of load.of('donation', 'acked').slice(0, 20)) {
    const r = await admin.post(`${C}/fund/donations`, donationBody(op.n), { headers: { 'Idempotency-Key': `crash-${op.n}` } });
    assert.equal(r.status, 201);
    assert.equal(r.headers.get('idempotent-replay'), 'true');
    assert.equal(r.data.seq, op.seq);
  }
  state = donationState(srv);
  let total = 0;
  for (const op of load.of('donation')) total += assertDonationWhole(state, op.n, 'after the retries').debit;
  assertLedgerWhole(srv);
  const fund = (await admin.get(`${C}/fund`)).data.balance_fen;
  assert.equal(fund - ctx.fund0, total, 'the fund grew by the donations, each counted once');
  return { unacked: unacked.length, replays, fresh };
}

// Votes: an acknowledged voter has voted exactly once (database and API agree); a voter never sent
// has not; and the "voted" marks, ballots and audit rows grew by the same number — nobody is marked
// as voted without a ballot, no ballot is without its mark. An unacknowledged vote sent again is
// either refused as already cast or cast now, never twice.
async function checkVotes(ctx, load) {
  const { srv, C } = ctx, cid = srv.communityId, rid = ctx.round;
  const votedOf = (v) => one(srv, `SELECT count(*) FROM grant_voted d JOIN grant_voters g ON g.community_id = d.community_id
    AND g.round_id = d.round_id AND g.voter_key = d.voter_key WHERE g.community_id = ${cid} AND g.round_id = ${rid} AND g.account_id = ${v.account}`);
  const byLogin = new Map(load.of('vote').map((o) => [o.voter.login, o]));
  let voted = 0;
  for (const v of ctx.allVoters) {
    const op = byLogin.get(v.login), n = votedOf(v);
    const api = (await v.client.get(`${C}/grant-rounds/${rid}/my-vote`)).data;
    assert.equal(api.voted, n === 1, `${v.login}: the API and the database agree`);
    if (!op) assert.equal(n, 0, `${v.login} never voted`);
    else if (op.outcome === 'acked') assert.equal(n, 1, `${v.login}: an acknowledged vote is there`);
    voted += n;
  }
  const assertAggregate = (expected) => {
    const c = voteCounts(ctx);
    const d = { voted: c.voted - ctx.votes0.voted, ballots: c.ballots - ctx.votes0.ballots, choices: c.choices - ctx.votes0.choices,
      audit: c.audit - ctx.votes0.audit };
    assert.deepEqual(d, { voted: expected, ballots: expected, choices: expected, audit: expected }, 'marks, ballots and audit rows agree');
  };
  assertAggregate(voted);
  let unacked = 0;
  for (const op of load.of('vote').filter((o) => o.outcome !== 'acked')) {
    unacked++;
    const had = votedOf(op.voter);
    const r = await op.voter.client.post(`${C}/grant-rounds/${rid}/votes`, { proposal_ids: [op.proposal] });
    assert.equal(r.status, had ? 409 : 201, `retry of ${op.voter.login}'s vote: ${r.text}`);
    if (!had) voted++;
  }
  assertAggregate(voted);
  return { unacked };
}

// Check-ins: an acknowledged one is there with its audit row; any other is there with its audit
// row or not at all; no attendance on the test's shifts the client did not send.
function checkCheckins(ctx, load) {
  const { srv } = ctx, cid = srv.communityId;
  const present = new Set(rows(srv, `SELECT shift_id, volunteer_id FROM attendance WHERE community_id = ${cid}
    AND shift_id IN (${ctx.shifts.join(',')})`).map(([s, v]) => `${s}/${v}`));
  const audited = new Map();
  for (const [shift, after] of rows(srv, `SELECT entity_id, after_json FROM audit_log WHERE community_id = ${cid} AND action = 'checkin'
      AND entity = 'attendance' AND entity_id IN (${ctx.shifts.map((s) => `'${s}'`).join(',')})`)) {
    const a = JSON.parse(after);
    if (a.state !== 'checked_in') continue;
    const k = `${shift}/${a.volunteer_id}`;
    audited.set(k, (audited.get(k) || 0) + 1);
  }
  const sent = new Set();
  for (const op of load.of('checkin')) {
    const k = op.pair.join('/');
    sent.add(k);
    if (op.outcome === 'acked') assert.ok(present.has(k), `check-in ${k} acknowledged and there`);
    assert.equal(audited.get(k) || 0, present.has(k) ? 1 : 0, `check-in ${k} (${op.outcome}): its audit row with it, once`);
  }
  assert.deepEqual([...present].filter((k) => !sent.has(k)), [], 'no check-in the client never sent');
}

function assertChainsVerify(srv) {
  const ledger = srv.cli(['ledger', 'verify']);
  assert.equal(ledger.status, 0, `linli ledger verify: ${ledger.stdout}${ledger.stderr}`);
  const audit = srv.cli(['audit', 'verify']);
  assert.equal(audit.status, 0, `linli audit verify: ${audit.stdout}${audit.stderr}`);
}

function summary(load) {
  const count = (type, outcome) => load.of(type, outcome).length;
  const s = {};
  for (const t of ['donation', 'vote', 'checkin']) s[t] = { acked: count(t, 'acked'), refused: count(t, 'refused'), unknown: count(t, 'unknown') };
  return s;
}

test(`crash recovery (${BACKEND}): ${KILLS} SIGKILLs under a write load lose no acknowledged write and leave none in part`, { timeout: 240000 }, async () => {
  const t0 = Date.now();
  const srv = await startServer({ residents: VOTERS + 10 });
  let load;
  try {
    const ctx = await prepare(srv);
    const t1 = Date.now();
    load = new Load(ctx);
    load.start();
    const kills = [];
    for (let i = 0; i < KILLS; i++) {
      await sleep(150 + Math.floor(Math.random() * 450));
      const inFlight = load.ops.filter((o) => !o.outcome).length;
      load.down();
      const r = await srv.kill('SIGKILL');
      assert.equal(r.signal, 'SIGKILL', `the server died of the kill, not before it: ${srv.stderr().slice(-2000)}`);
      kills.push(inFlight);
      const base = await srv.restart();
      for (const c of ctx.clients) c.base = base;
      load.back();
    }
    await sleep(300);
    await load.stop();
    const t2 = Date.now();
    assert.equal(kills.length, KILLS);
    const s = summary(load);
    // The load must have been a load: writes of each kind acknowledged, and writes cut off by kills.
    assert.ok(s.donation.acked >= 40 && s.vote.acked >= 10 && s.checkin.acked >= 15, JSON.stringify(s));
    assert.ok(s.donation.unknown + s.vote.unknown + s.checkin.unknown >= KILLS / 2, `kills landed on requests in flight: ${JSON.stringify(s)}`);
    // Refusals are only the server saying "busy, try again", never an error of its own.
    for (const op of load.ops.filter((o) => o.outcome === 'refused')) assert.equal(op.status, 503, `${op.type}: ${op.status} ${op.code}`);

    checkCheckins(ctx, load);
    const votes = await checkVotes(ctx, load);
    const donations = await checkDonations(ctx, load);
    assertChainsVerify(srv);
    const acked = s.donation.acked + s.vote.acked + s.checkin.acked;
    console.log(`# crash (${BACKEND}): ${KILLS} kills (requests in flight at each: ${kills.join(' ')}); ` +
      `${acked} writes acknowledged ${JSON.stringify(s)}; retried ${donations.unacked} unacknowledged donations ` +
      `(${donations.replays} replays, ${donations.fresh} fresh) and ${votes.unacked} votes; seconds: setup ${(t1 - t0) / 1000}, ` +
      `load and kills ${(t2 - t1) / 1000}, checks ${(Date.now() - t2) / 1000}`);
    assertCleanExit(assert, await srv.stop());
  } catch (e) {
    if (load?.running) await load.stop();
    await srv.kill('SIGKILL');
    rmSync(srv.dir, { recursive: true, force: true });
    throw e;
  }
});

// ---- PostgreSQL restarted under load ----

async function freePort() {
  const s = net.createServer();
  await new Promise((ok) => s.listen(0, '127.0.0.1', ok));
  const { port } = s.address();
  await new Promise((ok) => s.close(ok));
  return port;
}

// A throw-away cluster, as tests/pg.sh starts one: the shared one of CI must not be restarted.
async function privatePostgres() {
  const versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(a) - Number(b));
  const bin = `/usr/lib/postgresql/${versions.at(-1)}/bin`;
  const dir = mkdtempSync(join(tmpdir(), 'linli-crash-pg-'));
  const asPg = process.getuid() === 0 ? ['runuser', '-u', 'postgres', '--'] : [];
  if (asPg.length) {
    chmodSync(dir, 0o755);
    assert.equal(spawnSync('chown', ['postgres', dir]).status, 0);
  }
  const port = await freePort();
  const pg = (args) => {
    const cmd = [...asPg, `${bin}/pg_ctl`, '-D', join(dir, 'data'), ...args];
    return run(cmd[0], cmd.slice(1));
  };
  const init = [...asPg, `${bin}/initdb`, '-D', join(dir, 'data'), '-A', 'trust', '-U', 'postgres'];
  await run(init[0], init.slice(1));
  const opts = ['-l', join(dir, 'server.log'), '-w', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off`];
  await pg([...opts, 'start']);
  return {
    admin: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    stop: () => pg(['-m', 'fast', '-w', 'stop']),
    start: () => pg([...opts, 'start']),
    async destroy() {
      await pg(['-m', 'immediate', 'stop']).catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

test('PostgreSQL stopped and started under load: 503 while it is away, then linli reconnects by itself',
  { skip: BACKEND !== 'postgresql' && 'PostgreSQL backend only', timeout: 120000 }, async () => {
    const pg = await privatePostgres();
    let srv, running = true, tasks = [];
    try {
      srv = await startServer({ residents: 20, pgAdmin: pg.admin });
      const admin = new Client(srv.base);
      assert.equal((await admin.login('admin', srv.password)).status, 200);
      const C = `/api/v1/communities/${srv.communityId}`;
      const pid = srv.proc.pid;
      // Two writers and one reader; every answer is kept with when it was sent and received.
      const log = [];
      let n = 0;
      const acked = [];
      const writer = async () => {
        while (running) {
          const i = n++, sent = Date.now();
          try {
            const r = await admin.post(`${C}/fund/donations`, donationBody(i), { headers: { 'Idempotency-Key': `crash-${i}` } });
            log.push({ what: 'donation', sent, got: Date.now(), status: r.status, code: r.data?.error?.code });
            if (r.status === 201) acked.push({ n: i, seq: r.data.seq });
          } catch (e) {
            log.push({ sent, got: Date.now(), status: 0, code: e.cause?.code || e.message });
          }
          await sleep(5);
        }
      };
      const reader = async () => {
        while (running) {
          const sent = Date.now();
          try {
            const r = await admin.get(`${C}/fund`);
            log.push({ what: 'fund', sent, got: Date.now(), status: r.status, code: r.data?.error?.code });
          } catch (e) {
            log.push({ sent, got: Date.now(), status: 0, code: e.cause?.code || e.message });
          }
          await sleep(5);
        }
      };
      tasks = [writer(), writer(), reader()];
      await sleep(800);
      // First linli's sessions are cut from the server's side, some inside a transaction: those
      // requests fail with 503 and the next ones reconnect.
      let cutInTx = 0, cut = 0;
      const refused = () => log.some((x) => x.status === 503);
      for (const until = Date.now() + 5000; Date.now() < until && !(cutInTx >= 5 && refused());) {
        const { stdout } = await run('psql', ['-q', '-t', '-A', srv.db, '-c', `SELECT count(*) FILTER (WHERE state = 'idle in transaction'),
          count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
          AND backend_type = 'client backend' AND state <> 'idle'`]);
        const [inTx, all] = stdout.trim().split('|').map(Number);
        cutInTx += inTx;
        cut += all;
        await sleep(20);
      }
      assert.ok(cutInTx >= 1 && refused(), `sessions cut inside a transaction: ${cutInTx} (of ${cut}), answered 503: ${refused()}`);
      // The next requests reconnect: the last six answers since the cut are successes (waited for,
      // up to 10 s, rather than timed: a loaded machine answers fewer in any fixed window).
      const cutEnd = Date.now();
      let recovered = false;
      for (const until = Date.now() + 10000; Date.now() < until && !recovered;) {
        const since = log.filter((x) => x.sent >= cutEnd);
        recovered = since.length >= 6 && since.slice(-6).every((x) => x.status < 300);
        if (!recovered) await sleep(50);
      }
      assert.ok(recovered, `after the cut sessions, requests work again: ${JSON.stringify(log.filter((x) => x.sent >= cutEnd).slice(-6))}`);
      const stopping = Date.now();
      await pg.stop();
      const stopped = Date.now();
      await sleep(1500);
      const starting = Date.now();
      await pg.start();
      const started = Date.now();
      await sleep(1500);
      running = false;
      await Promise.all(tasks);

      assert.equal(srv.proc.pid, pid);
      assert.equal(srv.proc.exitCode, null, 'linli kept running');
      const bad = log.filter((x) => x.status !== 200 && x.status !== 201 && x.status !== 503);
      assert.deepEqual(bad, [], `every answer is a success or a clean 503, none a 500 or a dropped connection\n${srv.stderr().slice(-3000)}`);
      const during = log.filter((x) => x.sent >= stopped && x.got <= starting);
      const after = log.filter((x) => x.sent >= started);
      assert.ok(during.length > 10, `requests while the database was down: ${during.length}`);
      assert.ok(during.every((x) => x.status === 503 && x.code === 'unavailable'), 'while it is down: 503 unavailable');
      assert.ok(after.filter((x) => x.status < 300).length > 10, 'writes and reads succeed again without restarting linli');
      const firstOk = after.find((x) => x.status < 300);
      assert.ok(firstOk.got - started < 1000, `back within a second of the database (${firstOk.got - started} ms)`);
      assert.ok(after.slice(-10).every((x) => x.status < 300), 'and keep succeeding');
      assert.match(srv.stderr(), /lost the connection to PostgreSQL/);
      assert.match(srv.stderr(), /reconnected to PostgreSQL/);

      // What was acknowledged is there once; what was refused is not there in part.
      assertLedgerWhole(srv);
      const state = donationState(srv);
      for (const a of acked) assert.equal(assertDonationWhole(state, a.n, 'acknowledged').seq, a.seq);
      const ackedSet = new Set(acked.map((a) => a.n));
      for (let i = 0; i < n; i++) {
        if (ackedSet.has(i)) continue;
        if (state.entries.has(`CR${i}`)) assertDonationWhole(state, i, 'refused, committed');
        else assertDonationAbsent(state, i, 'refused');
      }
      assertChainsVerify(srv);
      console.log(`# postgresql: ${cut} sessions cut (${cutInTx} inside a transaction); stopped and started: ` +
        `${log.length} requests, ${during.length} while down (all 503), ` +
        `${acked.length} donations acknowledged; first success ${firstOk.got - started} ms after the database was back`);
      assertCleanExit(assert, await srv.stop());
      srv = null;
    } finally {
      running = false;
      await Promise.all(tasks);
      if (srv) {
        await srv.kill('SIGKILL');
        rmSync(srv.dir, { recursive: true, force: true });
      }
      await pg.destroy();
    }
  });
