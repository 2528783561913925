// Starts a real linli server for the browser tests: a temp folder, an admin
// password file, `linli init --demo` on a fresh SQLite database, then
// `linli serve` on a free port with the built pages (web/dist). Waits (at most
// 20 s) for GET /healthz to answer 200; stop() sends SIGTERM and cleans up.
// setClock(seconds) moves the server's clock forward (LINLI_TEST_CLOCK_FILE, see
// src/core/clock.h); addUser() makes an account with `linli user add`.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve, isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const binEnv = process.env.LINLI_BIN || 'build/linli';
export const BIN = isAbsolute(binEnv) ? binEnv : join(root, binEnv);
export const WEB_DIR = join(root, 'web/dist');
export const ADMIN = 'admin';

function freePort() {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
  });
}

async function waitHealthy(base, proc, deadlineMs) {
  const until = Date.now() + deadlineMs;
  let last = '';
  while (Date.now() < until) {
    if (proc.exitCode !== null) throw new Error(`linli serve exited with ${proc.exitCode}`);
    try {
      const r = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (r.status === 200) return;
      last = `status ${r.status}`;
    } catch (e) {
      last = String(e.message || e);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`linli did not answer GET /healthz within ${deadlineMs} ms (${last})`);
}

/** Starts a demo server; returns { base, password, stop() }. */
export async function startServer({ residents = 300 } = {}) {
  if (!existsSync(BIN)) throw new Error(`no linli binary at ${BIN} (build it, or set LINLI_BIN)`);
  if (!existsSync(join(WEB_DIR, 'index.html'))) throw new Error(`no built pages in ${WEB_DIR} (run npm run build in web/)`);
  const dir = mkdtempSync(join(tmpdir(), 'linli-e2e-'));
  const password = 'e2e-admin-pass-1';
  writeFileSync(join(dir, 'pw'), password + '\n', { mode: 0o600 });
  const db = `sqlite:${join(dir, 'linli.db')}`;
  // The data folder (secret key) goes to the temp folder too, never the working directory.
  // The server's clock can be moved forward by writing seconds into this file.
  const clockFile = join(dir, 'clock');
  writeFileSync(clockFile, '0');
  const env = { ...process.env, LINLI_DATA_DIR: dir, LINLI_TEST_CLOCK_FILE: clockFile };
  const init = spawnSync(
    BIN,
    ['init', '--demo', '--db', db, '--admin-password-file', join(dir, 'pw'), '--residents', String(residents)],
    { env, encoding: 'utf8', timeout: 120000 },
  );
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`linli init failed (${init.status}): ${init.stderr}${init.stdout}`);
  }
  const communityId = Number((/community (\d+)/.exec(init.stdout) ?? [])[1]) || null;
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const proc = spawn(BIN, ['serve', '--db', db, '--listen', `127.0.0.1:${port}`, '--web-dir', WEB_DIR, '--quiet'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  proc.stdout.on('data', (d) => { output += d; });
  proc.stderr.on('data', (d) => { output += d; });
  const exited = new Promise((ok) => proc.on('exit', (code, signal) => ok({ code, signal })));
  try {
    await waitHealthy(base, proc, 20000);
  } catch (e) {
    proc.kill('SIGKILL');
    await exited;
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`${e.message}\n${output.slice(-2000)}`);
  }
  return {
    base,
    password,
    communityId,
    output: () => output,
    /** Moves the server's clock this many seconds ahead of the real one (0: back to normal). */
    setClock: (seconds) => writeFileSync(clockFile, String(seconds)),
    /** Adds an account with a role in the demo community; returns its password. */
    addUser(login, role = 'resident') {
      const pw = `e2e-${login}-pass-1`;
      const file = join(dir, `pw-${login}`);
      writeFileSync(file, pw + '\n', { mode: 0o600 });
      const args = ['user', 'add', '--db', db, '--login', login, '--password-file', file, '--role', role];
      if (communityId) args.push('--community', String(communityId));
      const r = spawnSync(BIN, args, { env, encoding: 'utf8', timeout: 30000 });
      if (r.status !== 0) throw new Error(`linli user add failed (${r.status}): ${r.stderr}${r.stdout}`);
      return pw;
    },
    async stop() {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 10000);
      const r = await exited;
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
      return r;
    },
  };
}
