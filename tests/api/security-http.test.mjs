// The HTTP layer against an outside attacker (security issue #11, L2 L7 L8 L9 L10 and two notes):
// security headers on every answer, CSV cells a spreadsheet would run, framing that could smuggle a
// request past a proxy (folded header lines, bare LF, two Host headers), a query string with
// hundreds of arguments, forged access-log lines, a path that is not UTF-8, and QR codes whose host
// comes from --public-url instead of the request's Host header.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import http from 'node:http';
import { spawnSync } from 'node:child_process';
import { startServer, Client, assertCleanExit, BIN } from './harness.mjs';

const PUBLIC = 'https://wenhua.example.cn';
let srv, pub, admin, port, C;
before(async () => {
  srv = await startServer({ residents: 20 });
  port = Number(new URL(srv.base).port);
  admin = new Client(srv.base);
  await admin.login('admin', srv.password);
  C = `/api/v1/communities/${srv.communityId}`;
});
after(async () => {
  if (srv) assertCleanExit(assert, await srv.stop());
  if (pub) assertCleanExit(assert, await pub.stop());
});

// Sends raw bytes; resolves with what came back, whether the server closed the connection, how
// long that took (ms) and when the first byte of an answer came (first).
function raw(bytes, { wait = 3000, to = port } = {}) {
  return new Promise((ok, fail) => {
    const t0 = Date.now();
    const s = net.connect(to, '127.0.0.1', () => s.write(bytes));
    let out = '';
    let timer, first = null;
    const done = (closed) => { clearTimeout(timer); ok({ out, closed, ms: Date.now() - t0, first }); };
    s.on('data', (d) => { out += d; if (first === null) first = Date.now() - t0; });
    s.on('end', () => done(true));
    s.on('error', (e) => (e.code === 'ECONNRESET' ? done(true) : fail(e)));
    timer = setTimeout(() => { s.destroy(); ok({ out, closed: false, ms: Date.now() - t0, first }); }, wait);
  });
}
const answers = (out) => out.match(/HTTP\/1\.[01] \d{3}/g) || [];

// A GET with headers fetch() may not send (Host): resolves with status, headers and body.
function get(base, path, headers = {}) {
  return new Promise((ok, fail) => {
    const req = http.request(base + path, { headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { body += d; });
      res.on('end', () => ok({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on('error', fail);
    req.end();
  });
}

// ---- L2: security headers ----

function directives(csp) {
  const d = {};
  for (const part of csp.split(';').map((s) => s.trim()).filter(Boolean)) {
    const [name, ...values] = part.split(/\s+/);
    d[name] = values;
  }
  return d;
}

test('L2: every page carries a Content-Security-Policy with frame-ancestors none, and Referrer-Policy no-referrer', async () => {
  const assets = [...(await admin.get('/')).text.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
  assert.ok(assets.length > 0, 'the built pages link their assets');
  for (const path of ['/', '/index.html', '/wall', '/fund', '/m/checkin', '/login?next=%2F', assets[0], '/assets/none.js',
    '/healthz', '/api/v1/openapi.json', `${C}/compounds`, '/api/v1/nothing-here']) {
    const r = await get(srv.base, path);
    const csp = r.headers['content-security-policy'];
    assert.ok(csp, `${path} (${r.status}) has no Content-Security-Policy`);
    const d = directives(csp);
    assert.deepEqual(d['frame-ancestors'], ["'none'"], `${path}: ${csp}`);
    if (path.startsWith('/api/') || path === '/healthz') {
      // An API answer is never a document: it may load and run nothing.
      assert.deepEqual(d['default-src'], ["'none'"], `${path}: ${csp}`);
    } else {
      assert.deepEqual(d['default-src'], ["'self'"], `${path}: ${csp}`);
      assert.deepEqual(d['object-src'], ["'none'"], `${path}: ${csp}`);
    }
    assert.equal(r.headers['referrer-policy'], 'no-referrer', path);
    assert.equal(r.headers['x-content-type-options'], 'nosniff', path);
  }
  // A page revalidated with its ETag (304) keeps them too.
  const page = await get(srv.base, '/');
  const again = await get(srv.base, '/', { 'If-None-Match': page.headers.etag });
  assert.equal(again.status, 304);
  assert.match(again.headers['content-security-policy'], /frame-ancestors 'none'/);
});

test('L2: the policy lets no script in but the app\'s own files: no inline script, no eval, no other host', async () => {
  const d = directives((await get(srv.base, '/')).headers['content-security-policy']);
  const scripts = d['script-src'] || d['default-src'];
  assert.deepEqual(scripts, ["'self'"]);
  for (const [name, values] of Object.entries(d))
    for (const v of values) {
      assert.ok(!/^(https?:|\*|'unsafe-eval'|'strict-dynamic')/.test(v), `${name} allows ${v}`);
      // Only style attributes may be inline (ECharts' tooltips): style-src, which style-src-elem narrows.
      if (v === "'unsafe-inline'") assert.equal(name, 'style-src', `only styles may be inline, not ${name}`);
    }
  assert.deepEqual(d['style-src-elem'], ["'self'"], 'no inline style elements');
  assert.deepEqual(d['base-uri'], ["'self'"]);
  assert.deepEqual(d['form-action'], ["'self'"]);
});

// ---- L7: CSV export ----

test('L7: a CSV cell that starts with TAB or CR is neutralised, a cell with ; is quoted', async () => {
  const names = { tab: '\t=1+2', cr: '\r=1+2', semi: '文华;=1+2', plus: '+1+2' };
  const made = {};
  for (const [k, name] of Object.entries(names)) {
    const r = await admin.post(`${C}/compounds`, { name: `${name}` });
    // Refusing control characters at the door would do too; what is stored must be exported safely.
    if (r.status === 422) continue;
    assert.equal(r.status, 201, r.text);
    made[k] = name;
  }
  const csv = (await admin.get(`${C}/compounds?format=csv&limit=500`)).text;
  if (made.tab) assert.ok(csv.includes(`,"'\t=1+2",`), JSON.stringify(csv.slice(-400)));
  if (made.cr) assert.ok(csv.includes(`,"'\r=1+2",`), JSON.stringify(csv.slice(-400)));
  assert.ok(csv.includes(',"文华;=1+2",'), JSON.stringify(csv.slice(-400)));
  assert.ok(csv.includes(`,"'+1+2",`));
  // No line of the file starts a cell with a character a spreadsheet reads as a formula.
  for (const cell of csv.split(/,|\r\n/)) assert.doesNotMatch(cell, /^[=+\-@\t\r]/, JSON.stringify(cell));
});

// ---- L8: framing ----

const post = (headers, body = '') => `POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n${headers}\r\n${body}`;
const smuggled = 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n';
const framing = {
  // libmicrohttpd 0.9.75 glues a folded line onto the header's NAME ("Transfer-Encodingchunked"),
  // so linli saw no Transfer-Encoding, read no body, and answered the body as a second request.
  'a folded Transfer-Encoding (obs-fold) with a request as its body': post('Transfer-Encoding:\r\n chunked\r\n', smuggled),
  'a folded Transfer-Encoding folded with a tab': post('Transfer-Encoding:\r\n\tchunked\r\n', smuggled),
  'a folded Transfer-Encoding value': post('Transfer-Encoding: chunked\r\n x\r\n', smuggled),
  'a folded ordinary header line': `GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n${smuggled}`,
  'a folded line that is only white space': `GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\r\n \r\n\r\n`,
  'bare LF after the request line': `GET /healthz HTTP/1.1\nHost: x\r\n\r\n${smuggled}`,
  'bare LF after a header': `GET /healthz HTTP/1.1\r\nHost: x\nX-A: b\r\n\r\n${smuggled}`,
  'bare LF everywhere': `GET /healthz HTTP/1.1\nHost: x\n\n${smuggled}`,
  'bare LF ending the headers, a request behind': `GET /healthz HTTP/1.1\r\nHost: x\r\n\n${smuggled}`,
  'two Host headers': `GET /healthz HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n${smuggled}`,
  'two Host headers, differently spelt': `GET /healthz HTTP/1.1\r\nHost: x\r\nhost: x\r\n\r\n${smuggled}`,
};
for (const [name, bytes] of Object.entries(framing)) {
  test(`L8: ${name} → 400 and the connection closed, nothing behind it answered`, async () => {
    const { out, closed } = await raw(bytes);
    assert.match(out, /^HTTP\/1\.1 400 /, JSON.stringify(out.slice(0, 300)));
    assert.ok(closed, 'the connection is closed after the 400');
    assert.deepEqual(answers(out), ['HTTP/1.1 400'], JSON.stringify(out));
  });
}

test('L8: ordinary requests still pass: CRLF, a pipelined pair, white space around values, HTTP/1.0 without Host', async () => {
  const two = await raw(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-A:  a b \t\r\nX-Empty:\r\n\r\n${smuggled}`, { wait: 1500 });
  assert.deepEqual(answers(two.out), ['HTTP/1.1 200', 'HTTP/1.1 200'], two.out);
  const old = await raw('GET /healthz HTTP/1.0\r\n\r\n', { wait: 1500 });
  assert.deepEqual(answers(old.out), ['HTTP/1.1 200'], old.out);
  const body = JSON.stringify({ login: 'admin', password: srv.password });
  const login = await raw(post(`Content-Length: ${Buffer.byteLength(body)}\r\n`, body), { wait: 1500 });
  assert.deepEqual(answers(login.out), ['HTTP/1.1 200'], login.out.slice(0, 300));
  const chunked = await raw(post('Transfer-Encoding: chunked\r\n', `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`), { wait: 1500 });
  assert.deepEqual(answers(chunked.out), ['HTTP/1.1 200'], chunked.out.slice(0, 300));
});

// ---- L9: many query arguments ----

test('L9: 1,000 query arguments get a prompt 414 and the connection closed, not a 30 s hang', async () => {
  for (const n of [450, 1000, 5000]) {
    const q = Array.from({ length: n }, (_, i) => `a${i}=1`).join('&');
    const { out, closed, ms } = await raw(`GET ${C}/people?${q} HTTP/1.1\r\nHost: x\r\n\r\n`, { wait: 5000 });
    assert.match(out, /^HTTP\/1\.1 (414|431) /, `${n} arguments: ${JSON.stringify(out.slice(0, 100))}`);
    assert.ok(closed && ms < 2000, `${n} arguments: answered in ${ms} ms, closed: ${closed}`);
  }
  // Arguments with nothing in them count too.
  const amp = await raw(`GET /healthz?${'&'.repeat(3000)} HTTP/1.1\r\nHost: x\r\n\r\n`, { wait: 5000 });
  assert.match(amp.out, /^HTTP\/1\.1 (414|431) /);
  // So does a query string that is long without many arguments.
  const long = await raw(`GET /healthz?q=${'a'.repeat(20000)} HTTP/1.1\r\nHost: x\r\n\r\n`, { wait: 5000 });
  assert.match(long.out, /^HTTP\/1\.1 414 /);
  assert.ok(long.closed && long.ms < 2000);
  // The answer is linli's envelope, in the caller's language.
  const en = await raw(`GET /healthz?${'a&'.repeat(1000)} HTTP/1.1\r\nHost: x\r\nAccept-Language: en\r\n\r\n`);
  assert.match(en.out, /"code":"uri_too_long"/);
  assert.match(en.out, /"message":"The address is too long/);
  // What a page sends is far below the limits.
  const ok = await admin.get(`${C}/people?limit=10&offset=0&q=${encodeURIComponent('张')}&${Array.from({ length: 40 }, (_, i) => `x${i}=1`).join('&')}`);
  assert.equal(ok.status, 200);
});

test('L9: near the limits nothing hangs, whatever the mix of arguments, length and headers', async () => {
  const cases = [];
  for (const n of [99, 100, 101, 128, 200, 400])
    for (const pad of [0, 40, 7000]) cases.push({ n, pad });
  for (const { n, pad } of cases) {
    const q = Array.from({ length: n }, (_, i) => `a${i}=${'v'.repeat(Math.floor(pad / n))}`).join('&');
    const headers = Array.from({ length: 200 }, (_, i) => `X-H${i}: ${'h'.repeat(20)}\r\n`).join('');
    const { out, first, closed, ms } = await raw(`GET /healthz?${q} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${headers}\r\n`, { wait: 5000 });
    const what = `${n} arguments, ${q.length} bytes: ${JSON.stringify(out.slice(0, 60))} after ${first ?? ms} ms`;
    // An answer at once; or, when the head fills the connection's 32 KiB and leaves no room for
    // an answer's headers (libmicrohttpd's limit, as before), the connection closed at once.
    assert.ok(closed && ms < 2000, what);
    assert.ok(out === '' || /^HTTP\/1\.1 (200|414|431) /.test(out), what);
    if (n > 100) assert.ok(out === '' || /^HTTP\/1\.1 414 /.test(out), what);
  }
  assert.equal((await fetch(`${srv.base}/healthz`)).status, 200);
});

// ---- L10: the access log ----

test('L10: CR, LF and other control bytes in a path cannot forge an access-log line', async () => {
  const forged = 'GET /api/v1/forged 200 0 0.1ms admin';
  await raw(`GET /x%0a${encodeURIComponent(forged)}%0d%0a%1b[31m%22%5c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
  await raw(`GET /api/v1/%0d${encodeURIComponent(forged)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
  await new Promise((ok) => setTimeout(ok, 300));
  const lines = srv.log().split('\n');
  assert.ok(!lines.some((l) => l.startsWith(forged)), 'a forged line is in the log');
  assert.ok(!lines.some((l) => l.includes('\r') || l.includes('\x1b')), 'a control byte reached the log');
  const mine = lines.filter((l) => l.includes('forged'));
  assert.equal(mine.length, 2, mine.join('\n'));
  assert.ok(mine[0].startsWith('GET /x\\x0aGET /api/v1/forged 200 0 0.1ms admin\\x0d\\x0a\\x1b[31m\\x22\\x5c '), mine[0]);
  assert.ok(mine[1].startsWith('GET /api/v1/\\x0dGET /api/v1/forged'), mine[1]);
});

// ---- a path that is not UTF-8 ----

test('a path that is not UTF-8 (or hides a NUL) is refused with 400 invalid_path, not a 500', async () => {
  for (const path of ['/api/v1/certificates/%FF', '/api/v1/certificates/1-%C0%AF', `${C}/people/%ED%A0%80`, '/%FF',
    '/wall/%E6%96', '/api/v1/certificates/1%00.svg', '/%00']) {
    const r = await admin.get(path);
    assert.equal(r.status, 400, `${path}: ${r.text}`);
    assert.equal(r.data.error.code, 'invalid_path', path);
  }
  const en = await new Client(srv.base, 'en').get('/api/v1/certificates/%FF');
  assert.equal(en.data.error.message, 'The address is not valid UTF-8 text');
  // Chinese in a path is fine.
  assert.equal((await admin.get(`/wall/${encodeURIComponent('文华')}`)).status, 200);
  assert.equal((await admin.get(`/api/v1/certificates/${encodeURIComponent('文华')}`)).status, 200);
});

// ---- the host in QR codes ----

async function newShift(server, client) {
  const cid = `/api/v1/communities/${server.communityId}`;
  const a = await client.post(`${cid}/activities`, { title: '二维码测试', kind: 'event', place: '康乐活动室', organiser: '文华社区居委会' });
  assert.equal(a.status, 201, a.text);
  const start = Math.floor(Date.now() / 1000) + 86400;
  const s = await client.post(`${cid}/activities/${a.data.id}/shifts`, { starts_at: start, ends_at: start + 3600, capacity: 2 });
  assert.equal(s.status, 201, s.text);
  return `${cid}/shifts/${s.data.items[0].id}/qr`;
}

test('QR codes: the host comes from --public-url, never from the Host header', async () => {
  // A second server told its public address, as behind a proxy at https://wenhua.example.cn.
  pub = await startServer({ residents: 20, serveArgs: ['--public-url', `${PUBLIC}/`] });
  const padmin = new Client(pub.base);
  await padmin.login('admin', pub.password);
  const qrPath = await newShift(pub, padmin);
  const evil = { Host: 'evil.example', 'X-Forwarded-Proto': 'http', Cookie: padmin.cookie };
  const shift = await get(pub.base, qrPath, evil);
  assert.equal(shift.status, 200, shift.body);
  const url = JSON.parse(shift.body).url;
  assert.ok(url.startsWith(`${PUBLIC}/m/checkin?c=${pub.communityId}&s=`), url);
  // The certificate's QR code draws the same picture whatever Host the request names.
  const cert = '/api/v1/certificates/1004-2026-000001/qr.svg';
  const a = await get(pub.base, cert, { Host: 'evil.example' });
  const b = await get(pub.base, cert, { Host: 'wenhua.example.cn', 'X-Forwarded-Proto': 'https' });
  const c = await get(pub.base, cert, { Host: 'a-much-longer-name-for-a-host.evil.example:8443' });
  assert.equal(a.status, 200);
  assert.match(a.body, /^<svg/);
  assert.equal(a.body, b.body);
  assert.equal(a.body, c.body);
});

test('QR codes: without --public-url the host is the listen address, not the Host header', async () => {
  const qrPath = await newShift(srv, admin);
  const r = await get(srv.base, qrPath, { Host: 'evil.example', Cookie: admin.cookie });
  assert.equal(r.status, 200, r.body);
  assert.ok(JSON.parse(r.body).url.startsWith(`${srv.base}/m/checkin?`), r.body);
  const cert = '/api/v1/certificates/1004-2026-000001/qr.svg';
  assert.equal((await get(srv.base, cert, { Host: 'evil.example' })).body, (await get(srv.base, cert, { Host: 'other.example' })).body);
});

test('--public-url takes an http(s) origin and nothing else', () => {
  for (const bad of ['wenhua.example.cn', 'ftp://wenhua.example.cn', 'https://', 'https://a b', 'https://x/path',
    'https://x?q', 'https://x#f', 'https://x\n']) {
    const r = spawnSync(BIN, ['serve', '--listen', '127.0.0.1:0', '--public-url', bad], { env: srv.env, encoding: 'utf8', timeout: 10000 });
    assert.equal(r.status, 2, `${JSON.stringify(bad)}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, /--public-url/);
  }
  const help = spawnSync(BIN, ['serve', '--help'], { encoding: 'utf8' });
  assert.match(help.stdout, /--public-url URL/);
  assert.match(help.stdout, /LINLI_PUBLIC_URL/);
});
