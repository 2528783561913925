// The resident shell (/m): its home and 我的 tabs: the strings in Simplified Chinese (the default language), under the
// key `mobile`. en.ts has exactly the same keys (its type is this file's).
// vue-i18n treats { } @ | as syntax: do not use them literally.
const messages = {
  mobile: {
    menu: '居民端',
    tabs: {
      home: '首页',
      me: '我的',
    },
    keyNumbers: '社区数据',
    account: '当前账号',
    settings: '设置',
    staffConsole: '进入工作台',
  },
}

export type Messages = typeof messages
export default messages
