// Fault-loop steps: volunteers, trainings, activities, shifts and hours.
import assert from 'node:assert/strict';
import { idWithCheck } from '../harness.mjs';

// The year and yesterday in China time (the server's day).
const chinaDay = (t) => new Date((t + 8 * 3600) * 1000).toISOString().slice(0, 10);
const year = () => new Date(Date.now() + 8 * 3600e3).getUTCFullYear();
const yesterday = (ctx) => chinaDay(ctx.now() - 86400);

// A resident's application body; a minor names a guardian.
const application = (k, extra = {}) => ({ name: `故障志愿者${k}`, birth_year: year() - 30, ...extra });

// Volunteers for the steps that act as one (sign-up, cancel, scan, hours): one per mode, made once.
// A resident applies, staff approve, then the account logs in again to hold the volunteer role.
let pool = null;
async function volunteers(ctx) {
  if (pool) return pool;
  pool = [];
  for (let i = 0; i < 4; i++) {
    const c = await ctx.user('resident');
    const app = await ctx.ok(c.post(`${ctx.C}/volunteers`, application(ctx.next())), 'an application');
    await ctx.ok(ctx.admin.post(`${ctx.C}/volunteers/${app.id}/decision`, { decision: 'approve' }), 'an approval');
    const s = await c.login(c.login_, `pass-${c.login_}-123`);
    if (s.status !== 200) throw new Error(`logging in again: ${s.status} ${s.text}`);
    c.vid = app.id;
    pool.push(c);
  }
  return pool;
}

// An activity and a shift of it starting in a day, made without a fault.
async function activity(ctx, title) {
  return (await ctx.ok(ctx.admin.post(`${ctx.C}/activities`, { title, kind: 'event', place: '康乐活动室', organiser: '文华社区居委会' }), 'an activity')).id;
}
async function shift(ctx, act, capacity = 10) {
  const start = ctx.now() + 86400;
  return (await ctx.ok(ctx.admin.post(`${ctx.C}/activities/${act}/shifts`, { starts_at: start, ends_at: start + 7200, capacity }), 'a shift')).items[0].id;
}

export default [
  {
    op: 'POST /api/v1/communities/{community_id}/shifts/{shift_id}/attendance',
    async setup(ctx) {
      const act = await ctx.ok(ctx.admin.post(`${ctx.C}/activities`, { title: '故障注入测试', kind: 'event', place: '康乐活动室', organiser: '文华社区居委会', grace_minutes: 30 }), 'an activity');
      const start = ctx.now() + 3600;
      const shift = (await ctx.ok(ctx.admin.post(`${ctx.C}/activities/${act.id}/shifts`, { starts_at: start, ends_at: start + 3600, capacity: 20 }), 'a shift')).items[0].id;
      const vols = (await ctx.admin.get(`${ctx.C}/volunteers?status=approved&limit=10`)).data.items.map((v) => v.id);
      return { shift, vols };
    },
    prepare: (ctx, m, s) => ({ shift: s.shift, vol: s.vols[m] }),
    send: (ctx, p) => ctx.json(ctx.admin, 'POST', `${ctx.C}/shifts/${p.shift}/attendance`, { volunteer_id: p.vol, action: 'checkin' }),
  },
  {
    op: 'POST /api/v1/communities/{community_id}/volunteers',
    async setup(ctx) {
      return (await ctx.ok(ctx.admin.post(`${ctx.C}/volunteer-teams`, { name: `故障报名服务队${ctx.next()}` }), 'a team')).id;
    },
    // Each mode a fresh resident applies, with a phone, an ID number and a team.
    prepare: async (ctx, m, team) => ({ c: await ctx.user('resident'), k: ctx.next(), team }),
    send: (ctx, p) => ctx.json(p.c, 'POST', `${ctx.C}/volunteers`, application(p.k, {
      phone: '13912340000', id_number: idWithCheck(`44060619900101${String(p.k % 100).padStart(2, '0')}1`),
      skills: '摄影、急救', availability: '周末', team_ids: [p.team],
    })),
    done: ['already_applied'],
    check: async (ctx, r, p) => {
      if (r.status === 201 && (r.data.status !== 'pending' || r.data.account_id !== p.c.id)) throw new Error(`application: ${r.text}`);
    },
  },
  {
    op: 'POST /api/v1/communities/{community_id}/volunteers/{volunteer_id}/decision',
    // A fresh application each mode; approve (number, volunteer role) or, in odd modes, decline.
    async prepare(ctx, m) {
      const c = await ctx.user('resident');
      const app = await ctx.ok(c.post(`${ctx.C}/volunteers`, application(ctx.next())), 'an application');
      return { vid: app.id, body: m % 2 ? { decision: 'decline', reason: '请先参加培训' } : { decision: 'approve' } };
    },
    send: (ctx, p) => ctx.json(ctx.admin, 'POST', `${ctx.C}/volunteers/${p.vid}/decision`, p.body),
    done: ['already_decided'],
  },
  {
    op: 'POST /api/v1/communities/{community_id}/volunteers/{volunteer_id}/guardian-consent',
    // A fresh minor applies each mode, naming a guardian; staff record the guardian's consent.
    async prepare(ctx) {
      const c = await ctx.user('resident');
      const app = await ctx.ok(c.post(`${ctx.C}/volunteers`, application(ctx.next(), { birth_year: year() - 15, guardian_name: '王家长' })), 'a minor applicant');
      return { vid: app.id };
    },
    send: (ctx, p) => ctx.json(ctx.admin, 'POST', `${ctx.C}/volunteers/${p.vid}/guardian-consent`, { guardian_name: '王家长' }),
    check: async (ctx, r) => {
      if (!r.data.guardian_consent) throw new Error(`consent not recorded: ${r.text}`);
    },
  },
  {
    op: 'POST /api/v1/communities/{community_id}/volunteer-teams',
    async setup(ctx) {
      return (await ctx.admin.get(`${ctx.C}/compounds?limit=1`)).data.items[0].id;
    },
    prepare: (ctx, m, compound) => ({ k: ctx.next(), compound }),
    send: (ctx, p) => ctx.json(ctx.admin, 'POST', `${ctx.C}/volunteer-teams`, { name: `故障服务队${p.k}`, compound_id: p.compound }),
    done: ['conflict'],
  },
  {
    op: 'PUT /api/v1/communities/{community_id}/volunteer-settings',
    // Higher thresholds apply at once; the settings as they were (lower ones: a second staff member
    // asks first) are put back at the end.
    setup: async (ctx) => ({ before: await ctx.ok(ctx.admin.get(`${ctx.C}/volunteer-settings`), 'the settings'), asker: await ctx.user('staff') }),
    prepare: (ctx, m, { before }) => ({ before, m }),
    send: (ctx, p) => ctx.json(ctx.admin, 'PUT', `${ctx.C}/volunteer-settings`,
      { star_thresholds: p.before.star_thresholds.map((h) => h + 1 + p.m), issuer_person: `故障${p.m}`, issuer_contact: '020-12345678' }),
    check: (ctx, r, p) => assert.deepEqual(r.data.star_thresholds, p.before.star_thresholds.map((h) => h + 1 + p.m)),
    async end(ctx, { before, asker }) {
      const { star_thresholds, issuer_name, issuer_person, issuer_contact } = before;
      const body = { json: { star_thresholds, issuer_name, issuer_person, issuer_contact } };
      const ask = await asker.req('PUT', `${ctx.C}/volunteer-settings`, body);
      if (ask.status !== 202) throw new Error(`lower thresholds asked: ${ask.status} ${ask.text}`);
      await ctx.ok(ctx.admin.req('PUT', `${ctx.C}/volunteer-settings`, body), 'the settings put back');
      const now = await ctx.ok(ctx.admin.get(`${ctx.C}/volunteer-settings`), 'the settings');
      if (JSON.stringify(now) !== JSON.stringify(before)) throw new Error(`settings not put back: ${JSON.stringify(now)} ≠ ${JSON.stringify(before)}`);
    },
  },
  {
    op: 'POST /api/v1/communities/{community_id}/trainings',
    prepare: (ctx) => ({ k: ctx.next() }),
    send: (ctx, p) => ctx.json(ctx.admin, 'POST', `${ctx.C}/trainings`, { title: `故障培训${p.k}`, held_at: ctx.now() - 86400, place: '社区党群服务中心' }),
  },
  {
    op: 'POST /api/v1/communities/{community_id}/trainings/{training_id}/attendance',
    setup: volunteers,
    // A fresh training each mode; the four volunteers attended it.
    async prepare(ctx, m, vols) {
      const t = await ctx.ok(ctx.admin.post(`${ctx.C}/trainings`, { title: `故障签到培训${ctx.next()}`, held_at: ctx.now() - 3600 }), 'a training');
      return { training: t.id, ids: vols.map((v) => v.vid) };
    },
    send: (ctx, p) => ctx.json(ctx.admin, 'POST', `${ctx.C}/trainings/${p.training}/attendance`, { volunteer_ids: p.ids }),
  },
  {
    op: 'POST /api/v1/communities/{community_id}/activities',
    prepare: (ctx) => ({ k: ctx.next() }),
    send: (ctx, p) => ctx.json(ctx.admin, 'POST', `${ctx.C}/activities`, {
      title: `故障活动${p.k}`, kind: 'elder_care', place: '敬老院', organiser: '文华社区居委会', description: '陪长者聊天', grace_minutes: 20, weekly: true,
    }),
  },
  {
    op: 'POST /api/v1/communities/{community_id}/activities/{activity_id}/shifts',
    async setup(ctx) {
      const act = await activity(ctx, '故障班次活动');
      const t = await ctx.ok(ctx.admin.post(`${ctx.C}/trainings`, { title: '故障班次培训', held_at: ctx.now() - 86400 }), 'a training');
      return { act, training: t.id };
    },
    send: (ctx, s) => {
      const start = ctx.now() + 2 * 86400;
      return ctx.json(ctx.admin, 'POST', `${ctx.C}/activities/${s.act}/shifts`,
        { starts_at: start, ends_at: start + 7200, capacity: 5, training_id: s.training, repeat_weeks: 2 });
    },
  },
  {
    op: 'POST /api/v1/communities/{community_id}/shifts/{shift_id}/signup',
    // One shift; in mode m volunteer m signs up.
    async setup(ctx) {
      const vols = await volunteers(ctx);
      return { vols, shift: await shift(ctx, await activity(ctx, '故障报名活动')) };
    },
    prepare: (ctx, m, s) => ({ c: s.vols[m], shift: s.shift }),
    send: (ctx, p) => ctx.json(p.c, 'POST', `${ctx.C}/shifts/${p.shift}/signup`),
    done: ['already_signed_up'],
    check: async (ctx, r) => {
      if (r.status === 200 && r.data.my_status !== 'confirmed') throw new Error(`signup: ${r.text}`);
    },
  },
  {
    op: 'POST /api/v1/communities/{community_id}/shifts/{shift_id}/cancel',
    // A fresh one-seat shift each mode: volunteer m takes the seat, the next one waits; m cancels
    // and the waiting one gets the seat.
    async setup(ctx) {
      return { vols: await volunteers(ctx), act: await activity(ctx, '故障取消活动') };
    },
    async prepare(ctx, m, s) {
      const id = await shift(ctx, s.act, 1);
      await ctx.ok(s.vols[m].post(`${ctx.C}/shifts/${id}/signup`), 'a sign-up');
      await ctx.ok(s.vols[(m + 1) % 4].post(`${ctx.C}/shifts/${id}/signup`), 'a waiting sign-up');
      return { c: s.vols[m], shift: id };
    },
    send: (ctx, p) => ctx.json(p.c, 'POST', `${ctx.C}/shifts/${p.shift}/cancel`),
    done: ['already_cancelled'],
  },
  {
    op: 'POST /api/v1/communities/{community_id}/shifts/{shift_id}/scan',
    // One shift; in mode m volunteer m signs up, and scans the code the coordinator's page shows.
    async setup(ctx) {
      const vols = await volunteers(ctx);
      return { vols, shift: await shift(ctx, await activity(ctx, '故障扫码活动')) };
    },
    async prepare(ctx, m, s) {
      await ctx.ok(s.vols[m].post(`${ctx.C}/shifts/${s.shift}/signup`), 'a sign-up');
      const qr = await ctx.ok(ctx.admin.get(`${ctx.C}/shifts/${s.shift}/qr`), 'the QR code');
      return { c: s.vols[m], shift: s.shift, token: qr.token };
    },
    send: (ctx, p) => ctx.json(p.c, 'POST', `${ctx.C}/shifts/${p.shift}/scan`, { token: p.token }),
    check: async (ctx, r) => {
      if (!['checked_in', 'already_checked_in'].includes(r.data.state)) throw new Error(`scan: ${r.text}`);
    },
  },
  {
    op: 'POST /api/v1/communities/{community_id}/hours',
    setup: volunteers,
    prepare: (ctx, m, vols) => ({ c: vols[m], k: ctx.next() }),
    send: (ctx, p) => ctx.json(p.c, 'POST', `${ctx.C}/hours`, { served_on: yesterday(ctx), minutes: 90, description: `帮独居长者买菜 ${p.k}` }),
  },
  {
    op: 'POST /api/v1/communities/{community_id}/hours/entries',
    async setup(ctx) {
      return { vols: await volunteers(ctx), act: await activity(ctx, '故障补录活动') };
    },
    prepare: (ctx, m, s) => ({ vid: s.vols[m].vid, act: s.act }),
    // An attempt that fails after its commit (the answer could not be made: hundreds of
    // allocations when the statement is prepared anew) has entered the hours already, and the next
    // attempt enters them again; on one day the loop reached the daily cap of 960 approved minutes
    // (422, not a 5xx). So each attempt enters its hour on a day of its own.
    send: (ctx, p) => {
      let attempt = 0;
      return (headers) => ctx.admin.req('POST', `${ctx.C}/hours/entries`, {
        json: { volunteer_id: p.vid, served_on: chinaDay(ctx.now() - 86400 * (2 + (attempt++ % 1000))), minutes: 60, description: '整理档案', reason: '线下纸质签到表补录', activity_id: p.act },
        headers,
      });
    },
  },
  {
    op: 'POST /api/v1/communities/{community_id}/hours/decision',
    setup: volunteers,
    // Two fresh self-reports of volunteer m, approved together.
    async prepare(ctx, m, vols) {
      const ids = [];
      for (let i = 0; i < 2; i++) {
        ids.push((await ctx.ok(vols[m].post(`${ctx.C}/hours`, { served_on: yesterday(ctx), minutes: 30 + i, description: '社区巡逻' }), 'a self-report')).id);
      }
      return { ids };
    },
    send: (ctx, p) => ctx.json(ctx.admin, 'POST', `${ctx.C}/hours/decision`, { ids: p.ids, decision: 'approve' }),
  },
  {
    op: 'POST /api/v1/communities/{community_id}/hours/{hour_id}/correct',
    setup: volunteers,
    // A fresh staff entry each mode, corrected.
    async prepare(ctx, m, vols) {
      const h = await ctx.ok(ctx.admin.post(`${ctx.C}/hours/entries`,
        { volunteer_id: vols[m].vid, served_on: yesterday(ctx), minutes: 150, description: '敬老院服务', reason: '补录' }), 'an hour record');
      return { hour: h.id };
    },
    send: (ctx, p) => ctx.json(ctx.admin, 'POST', `${ctx.C}/hours/${p.hour}/correct`, { minutes: 120, reason: '签退时间登记有误' }),
    done: ['already_corrected'],
  },
  {
    op: 'POST /api/v1/communities/{community_id}/volunteers/{volunteer_id}/certificates',
    setup: volunteers,
    prepare: (ctx, m, vols) => ({ vid: vols[m].vid }),
    send: (ctx, p) => ctx.json(ctx.admin, 'POST', `${ctx.C}/volunteers/${p.vid}/certificates`, { from: `${year() - 1}-01-01`, to: `${year()}-12-31` }),
    check: async (ctx, r) => {
      if (!(r.data.hours > 0)) throw new Error(`a certificate without the hours: ${r.text}`);
    },
  },
  {
    op: 'POST /api/v1/communities/{community_id}/certificates/{certificate_id}/revoke',
    setup: volunteers,
    // A fresh certificate each mode, revoked.
    async prepare(ctx, m, vols) {
      const c = await ctx.ok(ctx.admin.post(`${ctx.C}/volunteers/${vols[m].vid}/certificates`, { from: `${year()}-01-01`, to: `${year()}-12-31` }), 'a certificate');
      return { cert: c.id };
    },
    send: (ctx, p) => ctx.json(ctx.admin, 'POST', `${ctx.C}/certificates/${p.cert}/revoke`, { reason: '重新开具' }),
    done: ['already_revoked'],
    check: async (ctx, r) => {
      if (r.status === 200 && r.data.status !== 'revoked') throw new Error(`revoke: ${r.text}`);
    },
  },
];
