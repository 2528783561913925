// The server's life: requests in flight finish when it is told to stop, and idle or slow clients
// do not keep others out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer, Client, assertCleanExit } from './harness.mjs';

test('idle and half-sent connections do not keep others out', async () => {
  const srv = await startServer({ residents: 0 });
  const { port } = new URL(srv.base);
  const sockets = [];
  try {
    for (let i = 0; i < 200; i++) {
      const s = net.connect(Number(port), '127.0.0.1');
      s.on('error', () => {});
      sockets.push(s);
      if (i % 2) s.write('GET /healthz HTTP/1.1\r\nHost: x\r\n'); // never finished
    }
    await new Promise((ok) => setTimeout(ok, 300));
    const r = await new Client(srv.base).get('/healthz');
    assert.equal(r.status, 200);
  } finally {
    sockets.forEach((s) => s.destroy());
    assertCleanExit(assert, await srv.stop());
  }
});

test('SIGTERM lets requests in flight finish, then exits 0', async () => {
  const srv = await startServer({ residents: 0 });
  // Logins take tens of milliseconds (argon2id): start several, then ask the server to stop.
  const logins = Array.from({ length: 4 }, () => new Client(srv.base).login('admin', srv.password));
  // Long enough for the server to have taken them on a loaded machine (a login answered before the
  // signal still counts as answered), short against argon2id under the sanitizers.
  await new Promise((ok) => setTimeout(ok, 60));
  const stopped = srv.stop();
  const results = await Promise.allSettled(logins);
  const answered = results.filter((r) => r.status === 'fulfilled');
  assert.ok(answered.length >= 1, 'at least the requests under way were answered');
  for (const r of answered) assert.equal(r.value.status, 200);
  const exit = await stopped;
  assertCleanExit(assert, exit);
});
