// Hostile clients: framing that could smuggle a second request, JSON nested 10,000 deep, a 100 MB
// string, and 10,000 idle plus 2,000 slowloris connections held open while ordinary clients keep
// getting answers within a second.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { startServer, Client } from './harness.mjs';

let srv, admin, port;
before(async () => {
  srv = await startServer({ residents: 20 });
  port = Number(new URL(srv.base).port);
  admin = new Client(srv.base);
  await admin.login('admin', srv.password);
});
after(async () => { await srv.stop(); });

// Sends raw bytes; resolves with what came back and whether the server closed the connection.
function raw(bytes, { wait = 3000 } = {}) {
  return new Promise((ok, fail) => {
    const s = net.connect(port, '127.0.0.1', () => s.write(bytes));
    let out = '';
    let timer;
    s.on('data', (d) => { out += d; });
    s.on('end', () => { clearTimeout(timer); ok({ out, closed: true }); });
    s.on('error', (e) => (e.code === 'ECONNRESET' ? ok({ out, closed: true }) : fail(e)));
    timer = setTimeout(() => { s.destroy(); ok({ out, closed: false }); }, wait);
  });
}

const post = (headers, body = '') => `POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n${headers}\r\n${body}`;
const smuggling = {
  'Content-Length and Transfer-Encoding together': post('Content-Length: 5\r\nTransfer-Encoding: chunked\r\n', '0\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'),
  'two Transfer-Encoding headers': post('Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n', '0\r\n\r\n'),
  'a coding other than chunked': post('Transfer-Encoding: gzip, chunked\r\n', '0\r\n\r\n'),
  'Transfer-Encoding: identity with a length': post('Transfer-Encoding: identity\r\nContent-Length: 2\r\n', '{}'),
  'chunked with trailing white space': post('Transfer-Encoding: chunked \r\n', '0\r\n\r\n'),
  'white space before the colon': post('Content-Length : 2\r\n', '{}'),
  'a folded header line hiding a length': post('X-A: a\r\n Content-Length: 2\r\n', '{}'),
  'two different Content-Lengths': post('Content-Length: 2\r\nContent-Length: 30\r\n', '{}'),
  'a Content-Length list': post('Content-Length: 2, 2\r\n', '{}'),
  'a signed Content-Length': post('Content-Length: +2\r\n', '{}'),
  'a chunk size that is not hex': post('Transfer-Encoding: chunked\r\n', 'zz\r\nabc\r\n0\r\n\r\n'),
  'a chunk without its CRLF': post('Transfer-Encoding: chunked\r\n', '2\r\n{}XX0\r\n\r\n'),
};

for (const [name, bytes] of Object.entries(smuggling)) {
  test(`framing: ${name} → 400 and the connection closed`, async () => {
    const { out, closed } = await raw(bytes);
    assert.match(out, /^HTTP\/1\.1 400 /, out.slice(0, 200));
    assert.ok(closed, 'the connection is closed after the 400');
    // Nothing smuggled behind it was answered.
    assert.equal((out.match(/HTTP\/1\.1 200/g) || []).length, 0);
  });
}

test('a chunk size past 64 bits is refused, not wrapped', async () => {
  const { out, closed } = await raw(post('Transfer-Encoding: chunked\r\n', 'ffffffffffffffffffff1\r\nabc\r\n0\r\n\r\n'));
  assert.match(out, /^HTTP\/1\.1 4(00|13) /);
  assert.ok(closed);
});

test('JSON nested 10,000 deep is refused with a clear 400 and changes nothing', async () => {
  const path = `/api/v1/communities/${srv.communityId}/compounds`;
  const before = (await admin.get(path)).data.total;
  for (const body of ['['.repeat(10000) + ']'.repeat(10000), `{"name":${'{"a":'.repeat(10000)}1${'}'.repeat(10000)}}`]) {
    const r = await admin.req('POST', path, { body, headers: { 'Content-Type': 'application/json' } });
    assert.equal(r.status, 400);
    assert.equal(r.data.error.code, 'invalid_json');
  }
  assert.equal((await admin.get(path)).data.total, before);
  assert.equal((await fetch(`${srv.base}/healthz`)).status, 200);
});

test('a 100 MB string is refused with 413 from its Content-Length, without the body being read', async () => {
  const size = 100 * 1024 * 1024 + 12;
  const t0 = Date.now();
  // Only the headers and the first bytes are sent: the answer comes without waiting for the rest.
  const { out } = await raw(`POST /api/v1/communities/${srv.communityId}/compounds HTTP/1.1\r\nHost: x\r\n` +
    `Cookie: ${admin.cookie}\r\nX-CSRF-Token: ${admin.csrf}\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${size}\r\n\r\n{"name":"aaaaaaaa`, { wait: 5000 });
  assert.match(out, /^HTTP\/1\.1 413 /);
  assert.match(out, /"code":"payload_too_large"/);
  assert.ok(Date.now() - t0 < 5000);
});

test('a 100 MB string sent chunked is cut off long before its end, and memory stays bounded', async (t) => {
  const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${srv.proc.pid}/status`, 'utf8'))[1]);
  const before = rss();
  const s = net.connect(port, '127.0.0.1');
  await new Promise((ok) => s.on('connect', ok));
  let out = '', ended = false;
  s.on('data', (d) => { out += d; });
  s.on('close', () => { ended = true; });
  s.on('error', () => { ended = true; });
  s.write(`POST /api/v1/communities/${srv.communityId}/compounds HTTP/1.1\r\nHost: x\r\nCookie: ${admin.cookie}\r\n` +
    `X-CSRF-Token: ${admin.csrf}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`);
  const chunk = Buffer.alloc(1024 * 1024, 'a');
  const head = Buffer.from(`${chunk.length.toString(16)}\r\n`), tail = Buffer.from('\r\n');
  let sent = 0;
  while (sent < 100 && !ended) {
    const more = s.write(Buffer.concat([head, chunk, tail]));
    sent++;
    if (!more) await new Promise((ok) => { s.once('drain', ok); s.once('close', ok); setTimeout(ok, 2000); });
  }
  await new Promise((ok) => setTimeout(ok, 300));
  s.destroy();
  t.diagnostic(`cut off after ${sent} MiB; the server grew by ${rss() - before} KiB`);
  assert.ok(sent < 100, `the server read ${sent} MiB of a refused body; it should cut it off`);
  assert.ok(out === '' || /^HTTP\/1\.1 413/.test(out), out.slice(0, 100));
  assert.ok(rss() - before < 64 * 1024, `the server grew by ${rss() - before} KiB`);
  assert.equal((await fetch(`${srv.base}/healthz`)).status, 200);
});

// Opens n connections spread over loopback addresses (127.0.1.x and up), at most perIp from each,
// since linli limits connections per address (1,024 by default) and all of these come from one host.
async function openMany(n, firstOctet, perIp = 500) {
  const socks = [];
  let failed = 0;
  for (let i = 0; i < n; i += 200) {
    const batch = [];
    for (let j = i; j < Math.min(n, i + 200); j++) {
      const k = Math.floor(j / perIp); // which source address
      const localAddress = `127.${firstOctet}.${Math.floor(k / 250)}.${(k % 250) + 1}`;
      batch.push(new Promise((ok) => {
        const s = net.connect({ port, host: '127.0.0.1', localAddress });
        s.on('connect', () => ok(s));
        s.on('error', () => { failed++; ok(null); });
      }));
    }
    for (const s of await Promise.all(batch)) if (s) { s.on('error', () => {}); socks.push(s); }
  }
  return { socks, failed };
}

test('10,000 idle and 2,000 slowloris connections do not keep ordinary clients out', { timeout: 120000 }, async (t) => {
  const idle = await openMany(10000, 1);
  const slow = await openMany(2000, 2);
  assert.equal(idle.failed, 0, 'every idle connection was accepted');
  assert.equal(slow.failed, 0, 'every slowloris connection was accepted');
  // The slowloris clients trickle a request's headers, one byte a second each.
  const text = `GET /api/v1/communities/${srv.communityId}/compounds HTTP/1.1\r\nHost: x\r\nX-Pad: ${'a'.repeat(100)}\r\n`;
  let pos = 0;
  const drip = setInterval(() => {
    for (const s of slow.socks) if (!s.destroyed) s.write(text[pos % text.length]);
    pos++;
  }, 1000);
  try {
    const times = [];
    const path = `/api/v1/communities/${srv.communityId}/compounds`;
    const deadline = Date.now() + 8000;
    while (Date.now() < deadline) {
      const t0 = Date.now();
      const [a, b] = await Promise.all([admin.get(path), fetch(`${srv.base}/healthz`)]);
      times.push(Date.now() - t0);
      assert.equal(a.status, 200);
      assert.equal(b.status, 200);
      await new Promise((ok) => setTimeout(ok, 200));
    }
    const worst = Math.max(...times);
    assert.ok(times.length >= 5, `${times.length} ordinary rounds`);
    assert.ok(worst < 1000, `slowest ordinary answer ${worst} ms while 12,000 hostile connections were open`);
    // The hostile connections are still open (held, not dropped to make room).
    const open = [...idle.socks, ...slow.socks].filter((s) => !s.destroyed).length;
    assert.ok(open >= 11000, `${open} of 12,000 still open`);
    t.diagnostic(`${times.length} ordinary rounds, slowest ${worst} ms, median ${times.sort((x, y) => x - y)[times.length >> 1]} ms; ${open} hostile connections open`);
  } finally {
    clearInterval(drip);
    for (const s of [...idle.socks, ...slow.socks]) s.destroy();
  }
  // Once they go, the server is as it was.
  await new Promise((ok) => setTimeout(ok, 500));
  assert.equal((await fetch(`${srv.base}/healthz`)).status, 200);
});

test('a query string that is not UTF-8 is refused with 400 before it reaches SQL or JSON', async () => {
  for (const q of ['q=%FF', 'status=%C0%AF', 'q=%ED%A0%80', '%FF=1']) {
    const r = await admin.get(`/api/v1/communities/${srv.communityId}/people?${q}`);
    assert.equal(r.status, 400, `${q}: ${r.text}`);
    assert.equal(r.data.error.code, 'invalid_query');
  }
  const ok = await admin.get(`/api/v1/communities/${srv.communityId}/people?q=${encodeURIComponent('张')}`);
  assert.equal(ok.status, 200);
});
