// Security issue #11, class test: create and update agree. Every resource with both a create
// (POST to a collection) and an update (PATCH or PUT of one of its items) is found in the OpenAPI
// document (`linli openapi`: `POST /x` paired with `PATCH|PUT /x/{id}`), so a new one is covered
// without editing this file. From each body field's schema come values create must refuse: a string
// one character too long, a pattern not met, an integer below its minimum or above its maximum
// (money above 10^12 fen), 2^63, a fraction, an id that does not exist, a value not in the enum, the
// wrong JSON type, array items outside their schema, and for arrays of objects each item with a
// key missing, negative, too large, too long, of the wrong type or unknown. Create must refuse each
// with a 4xx; the same value sent to update of an existing item must be refused too, naming the
// same field when create named it, and the item must read the same before and after. Updates made
// by an action on the item (`POST /x/{id}/verb`, e.g. correcting an hour record, publishing a wish
// with a corrected title) are held to the same rule for the fields they share with create. Every
// disagreement is collected, and the test fails with the whole list.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, account, assertCleanExit, idWithCheck } from './harness.mjs';

const MONEY_MAX = 1000000000000;
const I64OVER = '9223372036854775808';
const rawNum = (t) => `\u0001RAW${t}\u0001`;
const toJson = (v) => JSON.stringify(v).replace(/"\\u0001RAW([^"\\]*)\\u0001"/g, '$1');

// Arrays whose items the OpenAPI document gives only as {"type": "object"}: a valid item, the
// template each refused item is made from. A pair with such a field not listed here fails the test,
// so a new one is not passed over silently.
const ITEM_SHAPES = {
  budget_lines: { item: '材料费', fen: 100 },
};

let srv, admin, spec, ctx;

// A valid value for a field of this schema (the other fields of a body, and the item created).
function validValue(name, s) {
  if (s.enum) return s.enum[0];
  if (name in ctx.ids && s.type === 'integer') return Number(ctx.ids[name]);
  switch (s.type) {
    case 'string':
      if (name === 'phone') return '13800138000';
      if (name === 'id_number') return idWithCheck('44060619800101001');
      return '测试'.slice(0, s.maxLength || 2);
    case 'integer': return Math.max(1, s.minimum || 0);
    case 'boolean': return false;
    case 'array': return s.items?.enum ? [s.items.enum[0]] : [];
    case 'object': return {};
    default: return null;
  }
}

// Values create must refuse for a field of this schema: [label, value, maybe]. A value marked
// maybe is one the schema alone does not rule out (an empty text, a day in the future): it is
// compared only when create refuses it on the field. (null is not among them: in a partial update
// it means "not given", or "clear" for a field create may leave out.)
function refusedValues(name, s) {
  const out = [];
  if (s.type === 'string') out.push(['empty', '', true], ['blank', '   ', true]);
  if (s.type === 'string' && s.maxLength === 10) {
    out.push(['a day in the future', '2099-01-01', true], ['a day that does not exist', '2026-02-30', true], ['not a day', 'abcdefghij', true]);
  }
  if (s.type === 'integer' && (s.minimum ?? 0) === 0) out.push(['zero', 0, true]);
  const wrongType = { string: 12345, integer: 'abc', boolean: 'yes', array: 'abc', object: ['abc'] }[s.type];
  if (wrongType !== undefined) out.push(['wrong type', wrongType]);
  if (s.enum) out.push(['not in the enum', 'no-such-choice']);
  if (s.type === 'string') {
    if (s.maxLength) {
      out.push(['one character too long', '字'.repeat(s.maxLength + 1)]);
      out.push(['one ASCII character too long', 'x'.repeat(s.maxLength + 1)]);
    }
    if (s.pattern) out.push(['pattern not met', 'abc'], ['pattern not met (digits)', '0'.repeat(25)]);
  }
  if (s.type === 'integer') {
    if (s.minimum !== undefined) out.push([`below the minimum ${s.minimum}`, s.minimum - 1]);
    if (s.minimum !== undefined && s.minimum > 0) out.push(['negative', -1]);
    if (s.maximum !== undefined) out.push([`above the maximum ${s.maximum}`, s.maximum + 1]);
    if (s.maximum === MONEY_MAX) out.push(['money far above the cap', MONEY_MAX * 1000]);
    out.push(['2^63', rawNum(I64OVER)], ['a fraction', 1.5], ['a float', rawNum('1e308')]);
    if (name in ctx.ids) out.push(['an id that does not exist', 999999999]);
  }
  if (s.type === 'array') {
    const it = s.items || {};
    if (it.enum) out.push(['an item not in the enum', ['no-such-choice']]);
    if (it.type === 'integer') out.push(['an item below its minimum', [(it.minimum ?? 1) - 1]], ['a text item', ['abc']]);
    if (it.type === 'string') out.push(['a number item', [1]]);
    if (it.type === 'object') {
      out.push(['an item that is no object', [1]], ['a null item', [null]]);
      const shape = ITEM_SHAPES[name];
      if (shape) {
        out.push(['an item with an unknown key', [{ ...shape, unknown_key: 1 }]]);
        for (const [k, v] of Object.entries(shape)) {
          const { [k]: _, ...without } = shape;
          out.push([`an item without ${k}`, [without]]);
          if (typeof v === 'number') {
            out.push([`an item with negative ${k}`, [{ ...shape, [k]: -1 }]], [`an item with ${k} 0`, [{ ...shape, [k]: 0 }]],
              [`an item with ${k} above the money cap`, [{ ...shape, [k]: MONEY_MAX + 1 }]], [`an item with text ${k}`, [{ ...shape, [k]: '100' }]],
              [`an item with fractional ${k}`, [{ ...shape, [k]: 1.5 }]]);
          } else {
            out.push([`an item with empty ${k}`, [{ ...shape, [k]: '' }]], [`an item with ${k} of 1,000 characters`, [{ ...shape, [k]: '字'.repeat(1000) }]],
              [`an item with numeric ${k}`, [{ ...shape, [k]: 5 }]]);
          }
        }
        out.push(['two items with the same values', [shape, shape]]);
      }
    }
  }
  if (s.type === 'object') out.push(['a text', 'abc']);
  return out;
}

// Pairs of the OpenAPI document: POST /x with PATCH or PUT /x/{id}.
function pairs() {
  const out = [];
  for (const [path, item] of Object.entries(spec.paths)) {
    if (!item.post?.requestBody?.content?.['application/json']) continue;
    for (const [p2, item2] of Object.entries(spec.paths)) {
      const m = new RegExp(`^${path.replace(/[{}]/g, '\\$&')}/\\{(\\w+)\\}$`).exec(p2);
      if (!m) continue;
      for (const method of ['patch', 'put']) {
        if (!item2[method]?.requestBody?.content?.['application/json']) continue;
        out.push({ collection: path, itemPath: p2, idParam: m[1], method: method.toUpperCase(),
          create: item.post.requestBody.content['application/json'].schema, update: item2[method].requestBody.content['application/json'].schema,
          get: item2.get ? 'item' : item.get ? 'list' : null });
      }
    }
  }
  return out;
}

const fill = (path, extra = {}) => path.replace(/\{(\w+)\}/g, (_, n) => {
  const v = extra[n] ?? ctx.ids[n];
  if (v === undefined) throw new Error(`no value for the path parameter ${n} of ${path}: add it to the ids of this file`);
  return v;
});

// Does the error envelope name the field (itself, or a part: field[0].item, field.key)?
const names = (r, field) => Object.keys(r.data?.error?.fields || {}).some((k) => k === field || k.startsWith(`${field}[`) || k.startsWith(`${field}.`));

// The item as a GET reads it: the item's own route, or its row in the collection's list.
async function read(pair, id) {
  if (pair.get === 'item') return (await admin.get(fill(pair.itemPath, { [pair.idParam]: id }))).text;
  let offset = 0;
  for (;;) {
    const r = await admin.get(`${fill(pair.collection)}?limit=500&offset=${offset}`);
    const items = r.data?.items || [];
    const it = items.find((x) => String(x.id) === String(id));
    if (it) return JSON.stringify(it);
    if (items.length < 500) return null;
    offset += 500;
  }
}

before(async () => {
  srv = await startServer({ residents: 10, serveArgs: ['--threads', '4'] });
  admin = new Client(srv.base);
  assert.equal((await admin.login('admin', srv.password)).status, 200);
  const o = srv.cli(['openapi']);
  assert.equal(o.status, 0, o.stderr);
  spec = JSON.parse(o.stdout);
  const A = srv.communityId;
  const one = (sql) => srv.sql(sql);
  ctx = { ids: {
    community_id: String(A),
    compound_id: one(`SELECT min(id) FROM compounds WHERE community_id = ${A}`),
    organisation_id: one(`SELECT min(id) FROM organisations WHERE community_id = ${A}`),
  } };
  // A round that takes submissions, for proposals to be created and edited in.
  const now = Math.floor(Date.now() / 1000);
  const round = await admin.post(`/api/v1/communities/${A}/grant-rounds`, { name: '创建与修改一致', budget_fen: 5000000,
    submission_ends: now + 30 * 86400, voting_opens: now + 40 * 86400, voting_closes: now + 50 * 86400 });
  assert.equal(round.status, 201, round.text);
  ctx.ids.round_id = String(round.data.id);
});
after(async () => { if (srv) assertCleanExit(assert, await srv.stop()); });

test('the OpenAPI document pairs creates with updates: people and grant proposals at least', () => {
  const found = pairs().map((p) => `${p.method} ${p.itemPath}`);
  assert.ok(found.includes('PATCH /api/v1/communities/{community_id}/people/{person_id}'), found.join('\n'));
  assert.ok(found.includes('PATCH /api/v1/communities/{community_id}/grant-rounds/{round_id}/proposals/{proposal_id}'), found.join('\n'));
});

test('every value create refuses, update refuses too, on the same field, and the item is unchanged', async () => {
  const disagreements = [];
  let checked = 0;
  for (const pair of pairs()) {
    const tag = `${pair.method} ${pair.itemPath}`;
    const props = pair.create.properties || {};
    const base = Object.fromEntries(Object.entries(props).map(([k, s]) => [k, validValue(k, s)]));
    for (const [k, s] of Object.entries(props)) {
      if (s.type === 'array' && s.items?.type === 'object' && !ITEM_SHAPES[k]) disagreements.push(`${tag}: ${k} is an array of objects with no shape in ITEM_SHAPES`);
    }
    // The item to update, made by create from the valid body.
    const made = await admin.req('POST', fill(pair.collection), { body: toJson(base), headers: { 'Content-Type': 'application/json' } });
    if (made.status !== 201 || !made.data?.id) {
      disagreements.push(`${tag}: create refuses this file's valid body ${toJson(base)}: ${made.status} ${made.text.slice(0, 300)}`);
      continue;
    }
    const id = made.data.id;
    const itemUrl = fill(pair.itemPath, { [pair.idParam]: id });
    const upd = (body) => admin.req(pair.method, itemUrl, { body, headers: { 'Content-Type': 'application/json' } });
    const ok = await upd(toJson(base));
    if (ok.status >= 300) disagreements.push(`${tag}: update refuses the body create took: ${ok.status} ${ok.text.slice(0, 300)}`);
    for (const [field, s] of Object.entries(props)) {
      if (!(field in (pair.update.properties || {}))) continue;
      for (const [label, v, maybe] of refusedValues(field, s)) {
        const body = toJson({ ...base, [field]: v });
        const what = `${tag} ${field} ${label} (${toJson(v).slice(0, 60)})`;
        const c = await admin.req('POST', fill(pair.collection), { body, headers: { 'Content-Type': 'application/json' } });
        if (maybe && !names(c, field)) continue;
        checked++;
        if (c.status < 400 || c.status >= 500) {
          disagreements.push(`${what}: create answers ${c.status} ${c.text.slice(0, 200)}`);
          continue;
        }
        const before = await read(pair, id);
        const u = await upd(body);
        const after = await read(pair, id);
        if (u.status < 400 || u.status >= 500) disagreements.push(`${what}: create refuses it (${c.status}), update answers ${u.status} ${u.text.slice(0, 200)}`);
        else if (names(c, field) && !names(u, field)) disagreements.push(`${what}: create names ${field}, update does not: ${u.status} ${u.text.slice(0, 200)}`);
        if (before !== after) disagreements.push(`${what}: the refused update changed the item:\n  ${before}\n  ${after}`);
      }
    }
  }
  console.log(`# ${checked} refused values checked on ${pairs().length} create/update pairs`);
  assert.ok(checked > 50, `only ${checked} values were checked`);
  assert.deepEqual(disagreements, [], `${disagreements.length} disagreements:\n${disagreements.join('\n')}`);
});

test('known contract: PATCH of a proposal with a budget line without item, or with negative fen → 422 on the line', async () => {
  const A = srv.communityId, R = ctx.ids.round_id;
  const p = await admin.post(`/api/v1/communities/${A}/grant-rounds/${R}/proposals`, { organisation_id: Number(ctx.ids.organisation_id),
    title: '楼道微改造', summary: '楼道灯和扶手', requested_fen: 300, budget_lines: [{ item: '灯', fen: 100 }, { item: '扶手', fen: 200 }] });
  assert.equal(p.status, 201, p.text);
  const url = `/api/v1/communities/${A}/grant-rounds/${R}/proposals/${p.data.id}`;
  for (const [lines, key] of [[[{ fen: 300 }], 'budget_lines[0].item'], [[{ item: '灯', fen: -300 }], 'budget_lines[0].fen']]) {
    const r = await admin.req('PATCH', url, { json: { budget_lines: lines } });
    assert.equal(r.status, 422, r.text);
    assert.ok(r.data.error.fields[key], r.text);
  }
  const list = await admin.get(`/api/v1/communities/${A}/grant-rounds/${R}/proposals?limit=500`);
  const now = list.data.items.find((x) => x.id === p.data.id);
  assert.deepEqual(now.budget_lines, [{ item: '灯', fen: 100 }, { item: '扶手', fen: 200 }]);
  assert.equal(now.requested_fen, 300);
});

// ---- updates by action ----

// Differences between create and an action that are meant: `${action path} ${field} ${label}` → why.
const ALLOWED = {
  'POST /api/v1/communities/{community_id}/hours/{hour_id}/correct minutes zero':
    'a correction to 0 minutes voids a record approved in error; a report of 0 minutes of work is refused',
};

// POST /x/{id}/verb (an action on one item, not a collection of its own) whose body shares fields
// with POST /x: those fields must be refused by the action as by create.
function actionPairs() {
  const out = [];
  for (const [path, item] of Object.entries(spec.paths)) {
    const create = item.post?.requestBody?.content?.['application/json']?.schema;
    if (!create) continue;
    for (const [p2, item2] of Object.entries(spec.paths)) {
      const m = new RegExp(`^${path.replace(/[{}]/g, '\\$&')}/\\{(\\w+)\\}/([\\w-]+)$`).exec(p2);
      const action = item2.post?.requestBody?.content?.['application/json']?.schema;
      if (!m || !action || item2.get || Object.keys(spec.paths).some((x) => x.startsWith(`${p2}/`))) continue;
      const shared = Object.keys(action.properties || {}).filter((k) => k in (create.properties || {}));
      if (shared.length) out.push({ collection: path, actionPath: p2, idParam: m[1], verb: m[2], create, action, shared });
    }
  }
  return out;
}

const today = () => new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
const A = () => srv.communityId;
const C = () => `/api/v1/communities/${A()}`;

// How to have an item in the state the action takes, per action: who creates (the create route's
// caller), the create body, what to do to the item before the action, the action's valid body,
// and how to read the item (and what the action would add to it). An action without one fails the
// test, so that a new one is given a fixture.
const FIXTURES = {
  'POST /api/v1/communities/{community_id}/volunteers/{volunteer_id}/guardian-consent': async () => ({
    creator: admin,
    createBody: { name: '小明', birth_year: new Date().getFullYear() - 12, guardian_name: '王女士', for_someone: true },
    actionBody: { guardian_name: '王女士' },
    read: (id) => admin.get(`${C()}/volunteers/${id}`).then((r) => r.text),
  }),
  'POST /api/v1/communities/{community_id}/hours/{hour_id}/correct': async () => {
    const vol = await account(srv, 'cu.volunteer', 'resident');
    const v = await vol.post(`${C()}/volunteers`, { name: '李志愿', birth_year: 1990 });
    assert.equal(v.status, 201, v.text);
    const d = await admin.post(`${C()}/volunteers/${v.data.id}/decision`, { decision: 'approve' });
    assert.equal(d.status, 200, d.text);
    return {
      creator: vol,
      createBody: { served_on: today(), minutes: 60, description: '整理图书' },
      actionBody: { minutes: 30, reason: '更正时长' },
      read: () => admin.get(`${C()}/hours?volunteer_id=${v.data.id}&limit=500`).then((r) => r.text),
    };
  },
  'POST /api/v1/communities/{community_id}/wishes/{wish_id}/decision': async () => ({
    creator: admin,
    createBody: { category: 'goods', urgency: 'blue', title: '一台电风扇', story: '家里的电风扇坏了，夏天很热。', beneficiary_name: '黄伯',
      estimated_fen: 9000, consent: true, source: 'paper', paper_serial: 'CU-1' },
    prepare: async (id) => {
      const r = await admin.post(`${C()}/wishes/${id}/verify`, { method: 'phone', note: '电话核实' });
      assert.equal(r.status, 200, r.text);
    },
    actionBody: { decision: 'publish' },
    read: (id) => admin.get(`${C()}/wishes/${id}`).then((r) => r.text),
  }),
};

test('every field an action shares with create is refused by the action as create refuses it', async () => {
  const disagreements = [];
  let checked = 0;
  const found = actionPairs();
  assert.ok(found.some((p) => p.verb === 'correct') && found.some((p) => p.verb === 'decision'), found.map((p) => p.actionPath).join('\n'));
  for (const pair of found) {
    const tag = `POST ${pair.actionPath}`;
    if (!FIXTURES[tag]) { disagreements.push(`${tag}: no fixture in FIXTURES (it shares ${pair.shared.join(', ')} with create)`); continue; }
    const fx = await FIXTURES[tag]();
    let serial = 0, id, url;
    // A new item in the state the action takes (again after an action took a value it should not have).
    const fresh = async () => {
      const body = { ...fx.createBody };
      if ('paper_serial' in body) body.paper_serial = `${body.paper_serial}-${++serial}`;
      const created = await fx.creator.post(fill(pair.collection), body);
      if (created.status !== 201) return void disagreements.push(`${tag}: the fixture's create is refused: ${created.status} ${created.text.slice(0, 300)}`);
      id = created.data.id;
      if (fx.prepare) await fx.prepare(id);
      url = fill(pair.actionPath, { [pair.idParam]: id });
      return true;
    };
    if (!await fresh()) continue;
    for (const field of pair.shared) {
      for (const [label, v, maybe] of refusedValues(field, pair.create.properties[field])) {
        const what = `${tag} ${field} ${label} (${toJson(v).slice(0, 60)})`;
        const c = await fx.creator.req('POST', fill(pair.collection), { body: toJson({ ...fx.createBody, [field]: v }), headers: { 'Content-Type': 'application/json' } });
        if (maybe && !names(c, field)) continue;
        if (c.status < 400 || c.status >= 500) { disagreements.push(`${what}: create answers ${c.status} ${c.text.slice(0, 200)}`); continue; }
        if (ALLOWED[`${tag} ${field} ${label}`]) continue;
        checked++;
        const before = await fx.read(id);
        const u = await admin.req('POST', url, { body: toJson({ ...fx.actionBody, [field]: v }), headers: { 'Content-Type': 'application/json' } });
        const after = await fx.read(id);
        if (u.status < 400 || u.status >= 500) disagreements.push(`${what}: create refuses it (${c.status} ${c.text.slice(0, 120)}), the action answers ${u.status}`);
        else if (names(c, field) && !names(u, field)) disagreements.push(`${what}: create names ${field}, the action does not: ${u.status} ${u.text.slice(0, 200)}`);
        if (before !== after) disagreements.push(`${what}: the refused action changed the item`);
        if (u.status < 300 && !await fresh()) break; // the item has moved on; the next values need one that has not
      }
    }
    // The fixture's item was in a state the action takes: its valid body is accepted.
    const ok = await admin.post(url, fx.actionBody);
    if (ok.status >= 300) disagreements.push(`${tag}: the action refuses its valid body, so the checks above met the wrong state: ${ok.status} ${ok.text.slice(0, 200)}`);
  }
  console.log(`# ${checked} refused values checked on ${found.length} actions: ${found.map((p) => `${p.verb} (${p.shared.join(', ')})`).join('; ')}`);
  assert.deepEqual(disagreements, [], `${disagreements.length} disagreements:\n${disagreements.join('\n')}`);
});
