// Starts a real linli server for a test file: a fresh database (SQLite file, or a new PostgreSQL
// database when LINLI_TEST_BACKEND=postgresql), `linli init --demo`, `linli serve` on a free port.
// Also a small client that keeps the session cookie and sends the CSRF token, as the pages do.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(new URL('../..', import.meta.url).pathname);
export const BIN = process.env.LINLI_BIN || join(root, 'build/linli');
export const BACKEND = process.env.LINLI_TEST_BACKEND || 'sqlite';
let dbCounter = 0;

function freshDatabase(dir, admin = process.env.LINLI_TEST_PG_ADMIN) {
  if (BACKEND === 'sqlite') return `sqlite:${join(dir, 'linli.db')}`;
  if (!admin) throw new Error('LINLI_TEST_PG_ADMIN is not set (tests/pg.sh sets it)');
  const name = `linli_api_${process.pid}_${dbCounter++}`;
  const r = spawnSync('psql', ['-q', admin, '-c', `DROP DATABASE IF EXISTS ${name}`, '-c', `CREATE DATABASE ${name}`]);
  if (r.status !== 0) throw new Error(`psql: ${r.stderr}`);
  return admin.replace(/\/[^/]*$/, `/${name}`);
}

// Spawns `linli serve` on a free port; resolves when it says where it serves.
async function serve(env, webDir, serveArgs = []) {
  const proc = spawn(BIN, ['serve', '--listen', '127.0.0.1:0', '--web-dir', webDir, ...serveArgs], { env });
  const out = { stdout: '', stderr: '' };
  proc.stderr.on('data', (d) => { out.stderr += d; });
  const exited = new Promise((ok) => proc.on('exit', (code, signal) => ok({ code, signal })));
  const base = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`linli serve did not start: ${out.stderr}`)), 20000);
    proc.stdout.on('data', (d) => {
      out.stdout += d;
      const m = /serving on (http:\/\/[\d.]+:\d+)/.exec(out.stdout);
      if (m) { clearTimeout(timer); ok(m[1]); }
    });
    proc.on('exit', (code) => fail(new Error(`linli serve exited (${code}): ${out.stderr}`)));
  });
  return { proc, base, exited, out };
}

// pgAdmin: the PostgreSQL server to create the database on (default LINLI_TEST_PG_ADMIN).
// serveArgs: more options for `linli serve` (e.g. ['--threads', '8']).
export async function startServer({ residents = 200, webDir = join(root, 'web/dist'), dir = mkdtempSync(join(tmpdir(), 'linli-api-')),
  pgAdmin, serveArgs = [] } = {}) {
  const password = 'test-admin-pass-1';
  writeFileSync(join(dir, 'pw'), password + '\n');
  const db = freshDatabase(dir, pgAdmin);
  // The server's clock can be moved forward by writing seconds into this file (see src/core/clock.h).
  const clockFile = join(dir, 'clock');
  writeFileSync(clockFile, '0');
  const env = { ...process.env, LINLI_DATA_DIR: dir, LINLI_DB: db, LINLI_TEST_CLOCK_FILE: clockFile };
  const cli = (args, opts = {}) => spawnSync(BIN, args, { env, encoding: 'utf8', ...opts });
  const init = cli(['init', '--demo', '--residents', String(residents), '--admin-password-file', join(dir, 'pw')]);
  if (init.status !== 0) throw new Error(`linli init failed: ${init.stderr}${init.stdout}`);
  const communityId = Number(/community (\d+)/.exec(init.stdout)[1]);
  let cur = await serve(env, webDir, serveArgs);
  return {
    base: cur.base, dir, db, env, cli, password, communityId, proc: cur.proc,
    log: () => cur.out.stdout,
    setClock: (seconds) => writeFileSync(clockFile, String(seconds)),
    // Runs SQL straight on the database, as someone with the file or a database login could.
    sql(text) {
      const r = db.startsWith('sqlite:') ? spawnSync('sqlite3', [db.slice(7), `PRAGMA foreign_keys=ON; ${text}`], { encoding: 'utf8' })
        : spawnSync('psql', ['-q', '-t', '-A', db, '-c', text], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`sql: ${r.stderr}`);
      return r.stdout.trim();
    },
    stderr: () => cur.out.stderr,
    async stop({ keepDir = false } = {}) {
      cur.proc.kill('SIGTERM');
      const r = await cur.exited;
      if (!keepDir) rmSync(dir, { recursive: true, force: true });
      return { ...r, stderr: cur.out.stderr };
    },
    // Kills the server (SIGKILL: a crash) and waits until it is gone; the data stays.
    async kill(signal = 'SIGKILL') {
      cur.proc.kill(signal);
      return cur.exited;
    },
    // Starts the server again on the same data, on a new port: base and proc change.
    async restart() {
      cur = await serve(env, webDir, serveArgs);
      this.base = cur.base;
      this.proc = cur.proc;
      return cur.base;
    },
  };
}

export class Client {
  constructor(base, lang = 'zh-CN') { this.base = base; this.lang = lang; this.cookie = null; this.csrf = null; }

  async req(method, path, { json, body, headers = {}, csrf = true } = {}) {
    const h = { 'Accept-Language': this.lang, ...headers };
    if (this.cookie) h.Cookie = this.cookie;
    if (json !== undefined) { h['Content-Type'] = 'application/json'; body = JSON.stringify(json); }
    if (csrf && this.csrf && method !== 'GET') h['X-CSRF-Token'] = this.csrf;
    const res = await fetch(this.base + path, { method, headers: h, body, redirect: 'manual' });
    const setCookie = res.headers.get('set-cookie');
    if (setCookie) {
      const m = /^linli_session=([^;]*)/.exec(setCookie);
      if (m) this.cookie = m[1] ? `linli_session=${m[1]}` : null;
    }
    const buf = Buffer.from(await res.arrayBuffer());
    const text = buf.toString('utf8');
    let data = null;
    if ((res.headers.get('content-type') || '').startsWith('application/json')) data = JSON.parse(text);
    return { status: res.status, headers: res.headers, data, text, buf };
  }

  get(path, o) { return this.req('GET', path, o); }
  post(path, json, o = {}) { return this.req('POST', path, { json, ...o }); }

  async login(login, password) {
    const r = await this.post('/api/v1/session', { login, password });
    if (r.status === 200) this.csrf = r.data.csrf_token;
    return r;
  }
}

// A new account of the role in the server's community (made with `linli user add`), logged in:
// a Client with .id (the account id) and .login_ (its login); its password is `pass-LOGIN-123`.
export async function account(srv, login, role = 'resident', name = null) {
  const pw = join(srv.dir, `pw-${login}`);
  writeFileSync(pw, `pass-${login}-123\n`);
  const r = srv.cli(['user', 'add', '--login', login, ...(name ? ['--name', name] : []), '--password-file', pw, '--role', role,
    '--community', String(srv.communityId)]);
  if (r.status !== 0) throw new Error(`linli user add ${login}: ${r.stderr}`);
  const c = new Client(srv.base);
  const s = await c.login(login, `pass-${login}-123`);
  if (s.status !== 200) throw new Error(`logging in as ${login}: ${s.status} ${s.text}`);
  c.id = s.data.account.id;
  c.login_ = login;
  return c;
}

// The server must stop cleanly on SIGTERM: exit 0 and no sanitizer report (leaks, UB).
export function assertCleanExit(assert, r) {
  assert.equal(r.code, 0, `linli exited with ${r.code}/${r.signal}: ${r.stderr.slice(-3000)}`);
  assert.doesNotMatch(r.stderr, /AddressSanitizer|LeakSanitizer|runtime error/);
}

// A valid GB 11643 ID number from its first 17 digits.
export function idWithCheck(first17) {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...first17].reduce((s, d, i) => s + Number(d) * w[i], 0);
  return first17 + '10X98765432'[sum % 11];
}
