// The registry: the demo community as the article describes it, people with masked personal
// data and audited unmasking, the CSV import's row-by-row report, and CSV/XLSX exports.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, Client, assertCleanExit, idWithCheck } from './harness.mjs';

let srv, admin, C;
before(async () => {
  srv = await startServer({ residents: 300 });
  admin = new Client(srv.base);
  assert.equal((await admin.login('admin', srv.password)).status, 200);
  C = `/api/v1/communities/${srv.communityId}`;
});
after(async () => { if (srv) assertCleanExit(assert, await srv.stop()); });

test('the demo community matches the article', async () => {
  const home = await admin.get(C);
  assert.equal(home.status, 200);
  assert.equal(home.data.name, '文华社区');
  assert.equal(home.data.town_name, '龙江镇');
  assert.equal(home.data.district_name, '顺德区');
  assert.equal(home.data.population, 40000);
  assert.equal(home.data.stats.compounds, 21);
  assert.equal(home.data.stats.residents, 300);
  const compounds = (await admin.get(`${C}/compounds?limit=100`)).data.items.map((c) => c.name);
  for (const n of ['文华花园', '康桥水岸', '丰华花苑', '雍翠华府', '保利上城']) assert.ok(compounds.includes(n), n);
  const venues = (await admin.get(`${C}/venues?limit=100`)).data.items;
  assert.equal(venues.filter((v) => v.kind === 'plaza').length, 5);
  for (const n of ['盈信广场', '碧桂园商业广场']) assert.ok(venues.some((v) => v.name === n), n);
  assert.equal(venues.filter((v) => v.kind === 'market').map((v) => v.name)[0], '亚洲国际材料交易中心');
  const home2 = venues.find((v) => v.kind === 'party_home');
  assert.equal(home2.name, '党群共融之家');
  assert.equal(home2.compound_name, '保利上城');
  const orgs = (await admin.get(`${C}/organisations?limit=100`)).data.items;
  const committees = orgs.filter((o) => o.kind === 'owners_committee').map((o) => o.compound_name).sort();
  assert.deepEqual(committees, ['丰华花苑', '文华花园', '雍翠华府'].sort());
  for (const kind of ['social_work_agency', 'youth_centre', 'school', 'law_office', 'hospital', 'property_company'])
    assert.ok(orgs.some((o) => o.kind === kind), kind);
  const staff = (await admin.get(`${C}/staff`)).data;
  assert.ok(staff.certificate_rate > 0.55, `持证率 ${staff.certificate_rate}`);
  assert.equal(staff.certificate_rate, Math.floor((staff.certified * 1000) / staff.staff) / 1000);
  const buildings = await admin.get(`${C}/compounds/${(await admin.get(`${C}/compounds?q=丰华花苑`)).data.items[0].id}/buildings`);
  assert.ok(buildings.data.items.length >= 10);
});

test('search and paging of compounds', async () => {
  const r = await admin.get(`${C}/compounds?q=${encodeURIComponent('丰华')}`);
  assert.deepEqual(r.data.items.map((c) => c.name), ['丰华花苑']);
  assert.equal(r.data.total, 1);
  const p1 = await admin.get(`${C}/compounds?limit=5&offset=0`);
  const p2 = await admin.get(`${C}/compounds?limit=5&offset=5`);
  assert.equal(p1.data.items.length, 5);
  assert.equal(p1.data.total, 21);
  assert.notEqual(p1.data.items[0].id, p2.data.items[0].id);
});

test('people are masked by default; unmasking is for staff and is audited', async () => {
  const list = await admin.get(`${C}/people?limit=5`);
  assert.equal(list.data.total, 300);
  for (const p of list.data.items) {
    if (p.phone) assert.match(p.phone, /^1\d\d\*{4}\d{4}$/);
    assert.match(p.id_number, /^\d{4}\*{10}[\dX]{4}$/);
    assert.equal(p.needy, null);
  }
  const logBefore = srv.cli(['audit', 'verify']).stdout;
  const full = await admin.post(`${C}/people/unmask`, { limit: 5 });
  assert.equal(full.status, 200);
  for (const p of full.data.items) {
    assert.match(p.id_number, /^\d{17}[\dX]$/);
    assert.equal(typeof p.needy, 'boolean');
  }
  const rowsBefore = Number(/(\d+) rows/.exec(logBefore)[1]);
  const after = srv.cli(['audit', 'verify']);
  assert.equal(after.status, 0);
  assert.equal(Number(/(\d+) rows/.exec(after.stdout)[1]), rowsBefore + 1);
  // A social worker reads people, masked, and may not unmask.
  const pw = join(srv.dir, 'sw-pw');
  writeFileSync(pw, 'social-worker-1\n');
  assert.equal(srv.cli(['user', 'add', '--login', 'sw', '--password-file', pw, '--role', 'social_worker', '--community', String(srv.communityId)]).status, 0);
  const sw = new Client(srv.base);
  await sw.login('sw', 'social-worker-1');
  assert.equal((await sw.get(`${C}/people?limit=1`)).status, 200);
  const refused = await sw.get(`${C}/people?limit=1&unmask=1`);
  assert.equal(refused.status, 403);
  assert.equal(refused.data.error.code, 'unmask_forbidden');
  assert.equal((await sw.post(`${C}/compounds`, { name: '社工不能建' })).status, 403);
});

test('adding a person validates phone and ID number field by field', async () => {
  const bad = await admin.post(`${C}/people`, { name: '张三', phone: '12345', id_number: '440606199001011234' });
  assert.equal(bad.status, 422);
  assert.equal(bad.data.error.fields.phone, '手机号应为 11 位');
  assert.match(bad.data.error.fields.id_number, /校验位/);
  const badDate = await admin.post(`${C}/people`, { name: '张三', id_number: idWithCheck('44060619990230123') });
  assert.match(badDate.data.error.fields.id_number, /出生日期/);
  const compound = (await admin.get(`${C}/compounds?q=${encodeURIComponent('康桥水岸')}`)).data.items[0];
  const id = idWithCheck('44060619850704313');
  const ok = await admin.post(`${C}/people`, {
    name: '张三', phone: '+86 138 0013 8000', id_number: id, compound_id: compound.id,
    building_name: '8栋', room: '2-1201', tags: ['party_member', 'building_leader'], needy: false,
  });
  assert.equal(ok.status, 201, ok.text);
  assert.equal(ok.data.phone, '138****8000');
  assert.equal(ok.data.id_number, id.slice(0, 4) + '*'.repeat(10) + id.slice(14));
  assert.equal(ok.data.gender, 'M');
  assert.equal(ok.data.birth_year, 1985);
  assert.equal(ok.data.compound_name, '康桥水岸');
  const one = await admin.req('POST', `${C}/people/${ok.data.id}/unmask`);
  assert.equal(one.data.phone, '13800138000');
  assert.equal(one.data.id_number, id);
  const found = await admin.post(`${C}/people/unmask`, { q: '13800138000' });
  assert.equal(found.data.total, 1, 'an exact phone number finds the person through its look-up hash');
  const dup = await admin.post(`${C}/people`, { name: '张三二', id_number: id });
  assert.equal(dup.status, 409);
  assert.ok(dup.data.error.fields.id_number);
  const unknown = await admin.post(`${C}/people`, { name: '李四', compound_id: 1 });
  assert.equal(unknown.status, 422);
  assert.equal(unknown.data.error.fields.compound_id, '找不到该小区');
});

test('CSV import keeps good rows and reports each bad one with its line', async () => {
  const before = (await admin.get(`${C}/people?limit=1`)).data.total;
  const csv = '\ufeff姓名,手机号,身份证号,小区,楼栋,房号,标签\r\n' +
    `王五,13912345678,${idWithCheck('44060619700101002')},丰华花苑,3栋,1-501,党员;长者\r\n` +
    '赵六,12345,,丰华花苑,3栋,1-502,\r\n' +
    `钱七,15012345678,,文华花园,1栋,2-301,楼长\r\n` +
    ',13700000000,,没有这个小区,,,\r\n';
  const r = await admin.req('POST', `${C}/people/import`, { body: csv, headers: { 'Content-Type': 'text/csv' } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.data.total, 4);
  assert.equal(r.data.imported, 2);
  assert.equal(r.data.failed, 2);
  assert.equal(r.data.errors[0].line, 3);
  assert.equal(r.data.errors[0].fields.phone, '手机号应为 11 位');
  assert.match(r.data.errors[0].message, /手机号/);
  assert.equal(r.data.errors[1].line, 5);
  assert.ok(r.data.errors[1].fields.name);
  assert.ok(r.data.errors[1].fields.compound);
  assert.equal((await admin.get(`${C}/people?limit=1`)).data.total, before + 2);
  const wang = (await admin.get(`${C}/people?q=${encodeURIComponent('王五')}`)).data.items[0];
  assert.deepEqual(wang.tags.sort(), ['elder', 'party_member']);
  assert.equal(wang.building_name, '3栋');
  const noHeader = await admin.req('POST', `${C}/people/import`, { body: 'a,b\r\n1,2\r\n', headers: { 'Content-Type': 'text/csv' } });
  assert.equal(noHeader.status, 422);
  assert.equal(noHeader.data.error.code, 'import_no_name_column');
  // A file saved as GBK is refused as a whole, saying so, instead of storing bytes that are not text.
  const gbk = Buffer.concat([Buffer.from('姓名\n'), Buffer.from([0xd5, 0xc5, 0xc8, 0xfd, 0x0a])]);
  const notUtf8 = await admin.req('POST', `${C}/people/import`, { body: gbk, headers: { 'Content-Type': 'text/csv' } });
  assert.equal(notUtf8.status, 400);
  assert.equal(notUtf8.data.error.code, 'csv_not_utf8');
  assert.equal((await admin.get(`${C}/people?limit=1`)).data.total, before + 2);
  assert.equal((await admin.get(`${C}/people?compound_id=99999999999999999999`)).status, 422);
});

test('lists export as CSV (for Excel) and XLSX', async () => {
  const csv = await admin.get(`${C}/compounds?format=csv`);
  assert.equal(csv.status, 200);
  assert.match(csv.headers.get('content-type'), /^text\/csv/);
  assert.match(csv.headers.get('content-disposition'), /compounds\.csv/);
  assert.ok(csv.text.startsWith('\ufeff编号,小区,类型'));
  assert.equal(csv.text.trim().split('\r\n').length, 1 + 21); // the header and the 21 compounds
});

test('XLSX export is a real workbook', async () => {
  const x = await admin.get(`${C}/people?format=xlsx`);
  assert.equal(x.status, 200);
  assert.match(x.headers.get('content-type'), /spreadsheetml/);
  assert.equal(x.buf.subarray(0, 2).toString(), 'PK');
  assert.ok(x.buf.length > 5000);
  const bad = await admin.get(`${C}/people?format=pdf`);
  assert.equal(bad.status, 422);
  assert.ok(bad.data.error.fields.format);
});

test('organisations, venues, staff and buildings can be added', async () => {
  const org = await admin.post(`${C}/organisations`, { name: '文华社区戏剧团', kind: 'association' });
  assert.equal(org.status, 201);
  const venue = await admin.post(`${C}/venues`, { name: '文华书画室', kind: 'activity_room', compound_id: 1 });
  assert.equal(venue.status, 422);
  const staff = await admin.post(`${C}/staff`, { name: '新同事', position: '社区工作人员', certificate_level: 'assistant' });
  assert.equal(staff.status, 201);
  const compound = (await admin.get(`${C}/compounds?q=${encodeURIComponent('保利上城')}`)).data.items[0];
  const b = await admin.post(`${C}/compounds/${compound.id}/buildings`, { name: '99栋', floors: 33 });
  assert.equal(b.status, 201);
  assert.equal(b.data.floors, 33);
});

test('search matches Latin letters whatever their case, on both engines', async () => {
  const org = await admin.post(`${C}/organisations`, { name: 'Wenhua Yoga 瑜伽队', kind: 'association' });
  assert.equal(org.status, 201, org.text);
  for (const q of ['yoga', 'YOGA', 'Yoga', 'wenhua yoga', '瑜伽']) {
    const r = await admin.get(`${C}/organisations?q=${encodeURIComponent(q)}`);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.data.items.map((o) => o.id), [org.data.id], q);
    assert.equal(r.data.total, 1, q);
  }
  const staff = await admin.post(`${C}/staff`, { name: 'Li Ming', position: '社区工作人员', certificate_level: 'assistant' });
  assert.equal(staff.status, 201, staff.text);
  assert.ok((await admin.get(`${C}/staff?q=li%20MING`)).data.items.some((x) => x.id === staff.data.id));
  assert.equal((await admin.get(`${C}/organisations?q=yoga_`)).data.total, 0, '_ is a letter, not a wildcard');
});

test('changing a person keeps before and after in the audit log and moves the compound count', async () => {
  const compounds = (await admin.get(`${C}/compounds?limit=100`)).data.items;
  const from = compounds.find((c) => c.name === '文华花园'), to = compounds.find((c) => c.name === '康桥水岸');
  const p = await admin.post(`${C}/people`, { name: '搬家的人', phone: '13600001111', compound_id: from.id, building_name: '2栋' });
  assert.equal(p.status, 201);
  const r = await admin.req('PATCH', `${C}/people/${p.data.id}`, { json: { compound_id: to.id, building_name: '5栋', phone: '13600002222', tags: ['elder'] } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.data.compound_name, '康桥水岸');
  assert.equal(r.data.building_name, '5栋');
  assert.equal(r.data.phone, '136****2222');
  assert.equal(r.data.name, '搬家的人');
  const after = (await admin.get(`${C}/compounds?limit=100`)).data.items;
  assert.equal(after.find((c) => c.id === from.id).residents, from.residents);
  assert.equal(after.find((c) => c.id === to.id).residents, to.residents + 1);
  const bad = await admin.req('PATCH', `${C}/people/${p.data.id}`, { json: { phone: '999' } });
  assert.equal(bad.status, 422);
  assert.equal((await admin.req('PATCH', `${C}/people/424242`, { json: { name: 'x' } })).status, 404);
  assert.equal(srv.cli(['audit', 'verify']).status, 0);
});

test('the home page numbers follow each change at once (they are kept by the community\'s chain heads)', async () => {
  const stats = async () => {
    const a = (await admin.get(C)).data.stats;
    assert.deepEqual((await admin.get(C)).data.stats, a, 'the kept answer is the made one');
    return a;
  };
  const s0 = await stats();
  const k = Date.now() % 100000;
  assert.equal((await admin.post(`${C}/compounds`, { name: `新小区${k}` })).status, 201);
  const s1 = await stats();
  assert.equal(s1.compounds, s0.compounds + 1);
  assert.equal((await admin.post(`${C}/people`, { name: '新居民', phone: '13600003333' })).status, 201);
  const s2 = await stats();
  assert.equal(s2.residents, s1.residents + 1);
  const csv = `姓名,手机号,小区\r\n导入丙,13800000003,丰华花苑\r\n导入丁,13800000004,文华花园\r\n`;
  assert.equal((await admin.req('POST', `${C}/people/import`, { body: csv, headers: { 'Content-Type': 'text/csv' } })).status, 200);
  assert.equal((await stats()).residents, s2.residents + 2);
  assert.equal((await admin.post(`${C}/organisations`, { name: `新社团${k}`, kind: 'association' })).status, 201);
  assert.equal((await stats()).organisations, s0.organisations + 1);
  assert.equal((await admin.post(`${C}/staff`, { name: '又一位同事', position: '社区工作人员', certificate_level: 'assistant' })).status, 201);
  assert.equal((await stats()).staff, s0.staff + 1);
});
