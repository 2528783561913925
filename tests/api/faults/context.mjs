// What the fault loop's steps share (tests/api/faults.test.mjs): the server, an admin client,
// accounts of any role, and a persistent database shell for the integrity checks.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { account, BACKEND } from '../harness.mjs';

// One sqlite3 or psql process for the whole run: the check after every attempt costs a round trip
// on a pipe instead of a new process (which was nine tenths of the loop's time).
export class DbShell {
  constructor(db) {
    const sqlite = db.startsWith('sqlite:');
    this.mark = '__linli_end__';
    this.proc = sqlite ? spawn('sqlite3', ['-batch', db.slice(7)]) : spawn('psql', ['-q', '-t', '-A', '-X', db]);
    this.sqlite = sqlite;
    this.out = '';
    this.err = '';
    this.waiting = null;
    this.proc.stdout.setEncoding('utf8');
    this.proc.stderr.setEncoding('utf8');
    this.proc.stdout.on('data', (d) => { this.out += d; this.poll(); });
    this.proc.stderr.on('data', (d) => { this.err += d; });
    if (sqlite) this.proc.stdin.write('PRAGMA foreign_keys=ON;\n.bail off\n');
  }

  poll() {
    const at = this.out.indexOf(`${this.mark}\n`);
    if (at < 0 || !this.waiting) return;
    const text = this.out.slice(0, at);
    this.out = this.out.slice(at + this.mark.length + 1);
    const { ok, fail } = this.waiting;
    this.waiting = null;
    if (this.err) { const e = this.err; this.err = ''; fail(new Error(`sql: ${e}`)); } else ok(text.trim());
  }

  // Runs the statements; resolves with what they printed, one value per line.
  query(text) {
    assert.equal(this.waiting, null, 'one query at a time');
    return new Promise((ok, fail) => {
      this.waiting = { ok, fail };
      this.proc.stdin.write(`${text}\n${this.sqlite ? '.print' : '\\echo'} ${this.mark}\n`);
    });
  }

  close() { this.proc.stdin.end(); }
}

export async function makeContext(srv, admin) {
  const C = `/api/v1/communities/${srv.communityId}`;
  let unique = 0;
  const ctx = {
    srv, admin, C, BACKEND,
    // A number no other step has used: for names that must be unique.
    next: () => ++unique,
    // A new account of the role, logged in; .id is its account id.
    user: (role, login = `fault${role.replace('_', '')}${++unique}`) => account(srv, login, role),
    // A sender for the loop: the request with the fault headers added.
    json: (client, method, path, body, extra = {}) => (headers) =>
      client.req(method, path, body === undefined ? { headers: { ...extra, ...headers } } : { json: body, headers: { ...extra, ...headers } }),
    // Asserts a set-up request (sent without a fault) succeeded and returns its data.
    async ok(promise, what) {
      const r = await promise;
      assert.ok(r.status >= 200 && r.status < 300, `${what}: ${r.status} ${r.text.slice(0, 300)}`);
      return r.data;
    },
    now: () => Math.floor(Date.now() / 1000),
  };
  return ctx;
}
