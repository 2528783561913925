// Fault-loop steps: volunteers, trainings, activities, shifts and hours.
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
];
