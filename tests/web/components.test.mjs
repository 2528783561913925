// The pages import each component they use (Element Plus, Vant and the kit are
// imported one by one, none is registered globally): a tag that a template uses
// but its script does not import renders as an unknown element, and vue-tsc does
// not say so. This test does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../../web/src/', import.meta.url));
const walk = (dir) => readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? walk(join(dir, f)) : [join(dir, f)]));
const BUILT_IN = new Set(['router-link', 'router-view', 'component']);

test('every component and directive a template uses is imported by its script', () => {
  const missing = [];
  for (const file of walk(SRC).filter((f) => f.endsWith('.vue'))) {
    const src = readFileSync(file, 'utf8');
    const at = src.indexOf('<template>');
    const script = src.slice(0, at);
    const template = src.slice(at);
    for (const [, tag] of template.matchAll(/<([a-z]+(?:-[a-z]+)+)\b/g)) {
      if (BUILT_IN.has(tag)) continue;
      const name = tag.split('-').map((w) => w[0].toUpperCase() + w.slice(1)).join('');
      if (!new RegExp(`\\b${name}\\b`).test(script)) missing.push(`${relative(SRC, file)}: <${tag}>`);
    }
    if (/\sv-loading\b/.test(template) && !/\bvLoading\b/.test(script)) missing.push(`${relative(SRC, file)}: v-loading`);
  }
  assert.deepEqual([...new Set(missing)], []);
});
