// The community home: the strings in Simplified Chinese (the default language), under the
// key `home`. en.ts has exactly the same keys (its type is this file's).
// vue-i18n treats { } @ | as syntax: do not use them literally.
const messages = {
  home: {
    menu: '首页',
    title: '社区概况',
    chartTitle: '各小区居民人数',
    chartSeries: '居民人数',
  },
}

export type Messages = typeof messages
export default messages
