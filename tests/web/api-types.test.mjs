// The web's API types are checked against the server's OpenAPI document:
// web/src/api/openapi.ts must be what web/scripts/openapi-types.mjs makes of
// `linli openapi` today, and the whole web app must type-check against it (a
// path, a query parameter or a body field the document does not have is a type
// error in the one API client). A probe file shows that such calls do fail.
// Needs the server binary (LINLI_BIN, default build/linli).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate, OUTPUT } from '../../web/scripts/openapi-types.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const web = join(root, 'web');
const binEnv = process.env.LINLI_BIN || 'build/linli';
const BIN = isAbsolute(binEnv) ? binEnv : join(root, binEnv);

function openapi() {
  const r = spawnSync(BIN, ['openapi'], { encoding: 'utf8', timeout: 30000 });
  assert.equal(r.status, 0, `linli openapi failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

test('web/src/api/openapi.ts is generated from the OpenAPI document the server has now', () => {
  const fresh = generate(openapi());
  const committed = readFileSync(OUTPUT, 'utf8');
  if (fresh !== committed) {
    const a = committed.split('\n');
    const b = fresh.split('\n');
    let i = 0;
    while (i < a.length && a[i] === b[i]) i++;
    assert.fail(
      `web/src/api/openapi.ts differs from the server's document at line ${i + 1}:\n  file:     ${a[i] ?? '(end)'}\n  document: ${b[i] ?? '(end)'}\n` +
        'The API changed: run `npm run api-types` in web/, then fix the pages that no longer type-check.',
    );
  }
});

// The three calls below name a body field, a path and a query parameter that the document does
// not have; each must be a type error, and nothing else in the web app may be one.
const PROBE = (client) => `import { api } from '${client}'
export const field = api.post('/api/v1/communities/{community_id}/fund/donations', { path: { community_id: 1 }, body: { amount_fen: 100, method: 'cash', tip_fen: 5 } })
export const path = api.get('/api/v1/communities/{community_id}/fund/balance', { path: { community_id: 1 } })
export const query = api.get('/api/v1/communities/{community_id}/people', { path: { community_id: 1 }, query: { phone: '13800138000' } })
`;

test('the web app type-checks against those types, and a field, path or query the document lacks does not', { timeout: 240000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'linli-api-types-'));
  try {
    symlinkSync(join(web, 'node_modules'), join(dir, 'node_modules'));
    writeFileSync(join(dir, 'probe.ts'), PROBE(join(web, 'src/api/client')));
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ extends: join(web, 'tsconfig.json'), include: [join(web, 'src/**/*.ts'), join(web, 'src/**/*.vue'), 'probe.ts'] }),
    );
    const r = spawnSync(join(web, 'node_modules/.bin/vue-tsc'), ['--noEmit', '-p', join(dir, 'tsconfig.json')], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 230000,
    });
    const errors = `${r.stdout}${r.stderr}`.split('\n').filter((l) => /error TS\d+/.test(l));
    const elsewhere = errors.filter((l) => !l.startsWith('probe.ts'));
    assert.deepEqual(elsewhere, [], 'the web app does not type-check against the document');
    const lines = [...new Set(errors.map((l) => Number((/^probe\.ts\((\d+),/.exec(l) ?? [])[1])))].sort();
    assert.deepEqual(lines, [2, 3, 4], `the probe's wrong field, path and query are type errors:\n${errors.join('\n')}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
