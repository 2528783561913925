// The web's modules are their folders (docs/architecture.md, "Adding a module"):
// every pages/<name>/index.ts declares the module's routes, menu entries, tabs,
// public links and messages, and nothing outside the folder declares them. These
// tests read the declarations (the .ts files themselves, through ts-hooks.mjs)
// and the source text, and fail on a module's route, menu entry, tab or message
// declared anywhere else, or a declaration that points out of its module.
import './ts.mjs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const SRC = fileURLToPath(new URL('../../web/src/', import.meta.url));
const PAGES = join(SRC, 'pages');
const CORE_KEYS = ['app', 'lang', 'largeText', 'common', 'errors'];

function walk(dir) {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}
const rel = (p) => relative(SRC, p).split(sep).join('/');
const sources = walk(SRC).filter((f) => /\.(ts|vue)$/.test(f) && !f.endsWith('openapi.ts'));
const text = Object.fromEntries(sources.map((f) => [rel(f), readFileSync(f, 'utf8')]));
/** The module a source file belongs to ('' for the shared parts: frames, ui, api, i18n, …). */
const moduleOf = (file) => (file.startsWith('pages/') ? file.split('/')[1] : '');

const folders = readdirSync(PAGES).filter((f) => statSync(join(PAGES, f)).isDirectory());
const modules = {};
for (const name of folders) {
  const index = join(PAGES, name, 'index.ts');
  if (existsSync(index)) modules[name] = (await import(pathToFileURL(index).href)).default;
}
const core = {
  'zh-CN': (await import(pathToFileURL(join(SRC, 'i18n/zh-CN.ts')).href)).default,
  en: (await import(pathToFileURL(join(SRC, 'i18n/en.ts')).href)).default,
};

const routesOf = (m) => [...(m.routes?.staff ?? []), ...(m.routes?.mobile ?? []), ...(m.routes?.pages ?? [])];
function flatKeys(o, prefix = '') {
  return Object.entries(o).flatMap(([k, v]) => (v && typeof v === 'object' ? flatKeys(v, `${prefix}${k}.`) : [`${prefix}${k}`]));
}

test('every folder of pages/ is a module: its index.ts declares it under the folder name', () => {
  assert.ok(folders.length >= 8, `modules found: ${folders.join(', ')}`);
  for (const name of folders) {
    assert.ok(modules[name], `pages/${name}/ has no index.ts: a module declares itself there`);
    assert.equal(modules[name].name, name, `pages/${name}/index.ts declares the module "${modules[name].name}"`);
  }
});

test('routes are declared only in their module index.ts, and point into the module folder', () => {
  for (const [file, src] of Object.entries(text)) {
    if (/^pages\/[^/]+\/index\.ts$/.test(file)) continue;
    const imports = [...src.matchAll(/component:\s*\(\)\s*=>\s*import\(\s*['"]([^'"]+)['"]/g)].map((m) => m[1]);
    if (file === 'router.ts') {
      for (const spec of imports) assert.match(spec, /^\.\/frames\//, `router.ts routes a page (${spec}): a module's index.ts declares it`);
      assert.doesNotMatch(src, /from '\.\/pages\//, 'router.ts imports from a module folder: it takes the routes from modules.ts');
      continue;
    }
    assert.deepEqual(imports, [], `${file} declares routes (${imports.join(', ')}): they belong in the module's index.ts`);
    if (file !== 'modules.ts') assert.doesNotMatch(src, /RouteRecordRaw\[\]\s*=/, `${file} declares a route table`);
  }
  for (const name of folders) {
    const src = text[`pages/${name}/index.ts`];
    for (const m of src.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
      assert.match(m[1], /^\.\//, `pages/${name}/index.ts loads ${m[1]}, outside its folder`);
    }
    for (const m of src.matchAll(/^import (?!type )[^'"]*from ['"]([^'"]+)['"]/gm)) {
      assert.match(m[1], /^\.\/i18n\//, `pages/${name}/index.ts imports ${m[1]}: a declaration imports only its messages (and types)`);
    }
    for (const r of routesOf(modules[name])) assert.equal(typeof r.component, 'function', `${name}: route ${r.name} loads its page lazily`);
  }
});

test('route names and paths are unique across modules; the frames need a login route', () => {
  const names = new Map();
  const paths = new Map();
  for (const [name, m] of Object.entries(modules)) {
    for (const slot of ['staff', 'mobile', 'pages']) {
      for (const r of m.routes?.[slot] ?? []) {
        assert.ok(r.name, `${name}: a route without a name (${r.path})`);
        assert.ok(!names.has(r.name), `route name ${r.name} is declared by ${names.get(r.name)} and ${name}`);
        names.set(r.name, name);
        const full = slot === 'staff' ? `/${r.path}` : slot === 'mobile' ? `/m/${r.path}` : r.path;
        assert.ok(!paths.has(full), `path ${full} is declared by ${paths.get(full)} and ${name}`);
        paths.set(full, name);
        if (slot === 'pages') assert.match(r.path, /^\//, `${name}: ${r.name} is a page of its own: its path is absolute`);
        else assert.doesNotMatch(r.path, /^\//, `${name}: ${r.name} sits in a frame: its path is relative`);
        if (typeof r.meta?.title === 'string') assert.ok(r.meta.title.startsWith(`${name}.`), `${name}: ${r.name}'s title ${r.meta.title} is not one of its messages`);
      }
    }
  }
  assert.equal(names.get('login'), 'auth', 'the router sends people without a session to the route named login');
});

test("menu entries, tabs, public links and 我的 cards name the module's own routes", () => {
  const orders = { menu: new Map(), tab: new Map() };
  for (const [name, m] of Object.entries(modules)) {
    const own = new Set(routesOf(m).map((r) => r.name));
    const mine = (route, what) => assert.ok(own.has(route), `${name}: its ${what} points at route ${route}, which is not one of its own`);
    if (m.menu) {
      assert.equal(typeof m.menu.order, 'number', `${name}: the menu entry has an order`);
      assert.ok(!orders.menu.has(m.menu.order), `${name} and ${orders.menu.get(m.menu.order)} share the menu order ${m.menu.order}`);
      orders.menu.set(m.menu.order, name);
      if (m.menu.items) {
        assert.ok(m.menu.label.startsWith(`${name}.`), `${name}: the menu group's label ${m.menu.label} is not one of its messages`);
        for (const item of m.menu.items) mine(item.route, 'menu item');
      } else mine(m.menu.route, 'menu item');
      for (const item of m.menu.items ?? [m.menu]) if (item.label) assert.ok(item.label.startsWith(`${name}.`), `${name}: menu label ${item.label}`);
    }
    for (const tab of m.tabs ?? []) {
      mine(tab.route, 'tab');
      assert.ok(tab.label.startsWith(`${name}.`), `${name}: tab label ${tab.label} is not one of its messages`);
      assert.ok(!orders.tab.has(tab.order), `${name} and ${orders.tab.get(tab.order)} share the tab order ${tab.order}`);
      orders.tab.set(tab.order, name);
    }
    for (const link of m.publicLinks ?? []) {
      mine(link.route, 'public link');
      assert.ok(link.label.startsWith(`${name}.`), `${name}: public link label ${link.label}`);
    }
    for (const card of m.meCards ?? []) assert.equal(typeof card.component, 'function', `${name}: a 我的 card loads lazily`);
    assert.doesNotMatch(text[`pages/${name}/index.ts`], /meCards[\s\S]*import\(\s*['"]\.\.\//, `${name}: a card from outside its folder`);
  }
  // The frames build the menu, the tab bar and the public links from the declarations: none of their own.
  for (const frame of ['frames/StaffLayout.vue', 'frames/MobileShell.vue', 'frames/PublicFrame.vue']) {
    assert.doesNotMatch(text[frame], /<el-menu-item[^>]*index="\//, `${frame} has a menu item of its own`);
    assert.doesNotMatch(text[frame], /<van-tabbar-item[^>]*to="\//, `${frame} has a tab of its own`);
    assert.doesNotMatch(text[frame], /data-testid="(nav|m-tab|public-nav)-(?!login)/, `${frame} names a module's entry`);
  }
  for (const [file, src] of Object.entries(text)) {
    if (file.startsWith('pages/') && file.endsWith('/index.ts')) continue;
    assert.doesNotMatch(src, /\b(menu|tabs|publicLinks)\s*:\s*[[{]\s*\n?\s*(order|route|label)\b/, `${file} declares a menu entry or a tab`);
  }
});

test('one i18n layout: each module has pages/<name>/i18n/zh-CN.ts and en.ts under its own key, with the same keys', () => {
  for (const name of folders) {
    const files = readdirSync(join(PAGES, name, 'i18n')).sort();
    assert.deepEqual(files, ['en.ts', 'zh-CN.ts'], `pages/${name}/i18n/ holds ${files.join(', ')}`);
    const m = modules[name];
    for (const lang of ['zh-CN', 'en']) assert.deepEqual(Object.keys(m.messages[lang]), [name], `${name}: its ${lang} messages are not all under "${name}"`);
    assert.deepEqual(flatKeys(m.messages.en).sort(), flatKeys(m.messages['zh-CN']).sort(), `${name}: zh-CN and en differ`);
  }
  assert.deepEqual(Object.keys(core['zh-CN']).sort(), [...CORE_KEYS].sort(), 'src/i18n/zh-CN.ts holds only the shared strings');
  assert.deepEqual(flatKeys(core.en).sort(), flatKeys(core['zh-CN']).sort(), 'src/i18n: zh-CN and en differ');
  assert.deepEqual(readdirSync(join(SRC, 'i18n')).sort(), ['en.ts', 'index.ts', 'zh-CN.ts'], 'src/i18n/ holds only the shared files');
  for (const [file, src] of Object.entries(text)) {
    if (file === 'i18n/index.ts') continue;
    assert.doesNotMatch(src, /\b(createI18n|mergeLocaleMessage|setLocaleMessage)\(/, `${file} adds messages: a module's i18n files do`);
    if (!/^(pages\/[^/]+\/)?i18n\/(zh-CN|en)\.ts$/.test(file)) {
      assert.doesNotMatch(src, /^const messages\b/m, `${file} declares messages outside an i18n folder`);
    }
  }
});

test("every message a page names exists, and a module's message lives in the module that uses it", () => {
  const messages = { ...core['zh-CN'], ...Object.assign({}, ...Object.values(modules).map((m) => m.messages['zh-CN'])) };
  const known = new Set(flatKeys(messages));
  const users = new Map(); // key → modules whose files name it
  for (const [file, src] of Object.entries(text)) {
    if (/\/i18n\//.test(`/${file}`)) continue;
    const keys = [
      ...src.matchAll(/\b(?:t|te)\(\s*'([A-Za-z]+\.[A-Za-z0-9_.]+)'/g),
      ...src.matchAll(/\b(?:label|title|meta\.title)\s*:\s*'([A-Za-z]+\.[A-Za-z0-9_.]+)'/g),
    ].map((m) => m[1]);
    for (const key of keys) {
      assert.ok(known.has(key), `${file} names the message ${key}, which no i18n file has`);
      if (!users.has(key)) users.set(key, new Set());
      users.get(key).add(moduleOf(file));
    }
  }
  const misplaced = [];
  for (const [key, by] of users) {
    const owner = key.split('.')[0];
    if (CORE_KEYS.includes(owner) || by.has(owner)) continue;
    misplaced.push(`${key} (declared by ${owner}, used only by ${[...by].map((m) => m || 'the shared code').join(' and ')})`);
  }
  assert.deepEqual(misplaced, [], 'messages declared outside the module that uses them (move each to its users, or to src/i18n if shared)');
});
