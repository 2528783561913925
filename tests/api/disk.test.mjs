// A full disk: SQLite on a small tmpfs answers writes with a clear 507, loses nothing written
// before, and works again once space returns. Needs root to mount a tmpfs (CI runs as root); it
// skips itself elsewhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, Client, assertCleanExit, BACKEND } from './harness.mjs';

function mountTmpfs() {
  if (BACKEND !== 'sqlite' || process.getuid?.() !== 0) return null;
  const dir = mkdtempSync(join(tmpdir(), 'linli-full-'));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', dir]);
  return r.status === 0 ? dir : null;
}

const mnt = mountTmpfs();

test('a full disk answers 507, keeps what was written, and recovers', { skip: mnt ? false : 'needs root and SQLite to mount a tmpfs' }, async () => {
  const srv = await startServer({ residents: 0, dir: mnt });
  try {
    const admin = new Client(srv.base);
    await admin.login('admin', srv.password);
    const C = `/api/v1/communities/${srv.communityId}`;
    const before = await admin.post(`${C}/compounds`, { name: '写满之前的小区' });
    assert.equal(before.status, 201);
    // Fill the disk, leaving almost nothing.
    const filler = join(mnt, 'filler');
    spawnSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=4k', 'count=100000'], { stdio: 'ignore' });
    let full = null;
    for (let i = 0; i < 200 && !full; i++) {
      const r = await admin.post(`${C}/compounds`, { name: `小区${i}-${'长'.repeat(50)}`, address: '地址'.repeat(90) });
      if (r.status === 507) full = r;
      else assert.equal(r.status, 201, r.text);
    }
    assert.ok(full, 'the disk filled up');
    assert.equal(full.data.error.code, 'insufficient_storage');
    assert.match(full.data.error.message, /存储空间已满/);
    rmSync(filler);
    const after = await admin.post(`${C}/compounds`, { name: '腾出空间之后的小区' });
    assert.equal(after.status, 201, after.text);
    const names = (await admin.get(`${C}/compounds?limit=500`)).data.items.map((c) => c.name);
    assert.ok(names.includes('写满之前的小区') && names.includes('腾出空间之后的小区'));
    const check = srv.cli(['audit', 'verify']);
    assert.equal(check.status, 0, check.stderr);
    assertCleanExit(assert, await srv.stop({ keepDir: true }));
  } finally {
    spawnSync('umount', [mnt]);
    if (existsSync(mnt)) rmSync(mnt, { recursive: true, force: true });
  }
});
