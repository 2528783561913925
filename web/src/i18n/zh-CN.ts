// The strings every part of the web pages shares — the app's name, the language
// switch, common words, errors —, in Simplified Chinese (the default language).
// Each module's own strings are in pages/<module>/i18n/ (one file per language,
// under the module's name). en.ts has exactly the same keys (its type is this
// file's). vue-i18n treats { } @ | as syntax: do not use them literally.
const messages = {
  app: {
    name: '邻里',
    title: '邻里 · 社区营造平台',
    tagline: '社区营造工作平台',
  },
  lang: {
    label: '语言',
    zh: '中文',
    en: 'English',
  },
  largeText: '大字模式',
  common: {
    search: '搜索',
    menu: '菜单',
    searchPlaceholder: '输入关键字搜索',
    create: '新建',
    save: '保存',
    cancel: '取消',
    close: '关闭',
    exportCsv: '导出 CSV',
    exportXlsx: '导出 XLSX',
    empty: '暂无数据',
    none: '—',
    all: '全部',
    optional: '选填',
    saved: '已保存',
    created: '已创建',
    total: '共 {n} 条',
    reason: '原因',
    required: '请填写此项',
    signIn: '登录',
    place: '{district} · {town}',
    logout: '退出登录',
    /** The community's key numbers (the staff home and the phone home). */
    stats: {
      residents: '常住居民',
      compounds: '小区',
      buildings: '楼栋',
      organisations: '组织',
      venues: '场所',
      staff: '工作人员',
      volunteers: '志愿者',
      fund: '基金余额',
    },
    formInvalid: '请检查标红的字段',
  },
  errors: {
    network: '无法连接服务器，请检查网络后重试',
    http: '服务器出错（{status}），请稍后再试',
    noCommunity: '该账号尚未分配到任何社区，请联系管理员',
    noPublicCommunity: '暂无可显示的社区',
  },
}

export type Messages = typeof messages
export default messages
