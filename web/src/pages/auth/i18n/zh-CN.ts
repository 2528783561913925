// Signing in: the strings in Simplified Chinese (the default language), under the
// key `auth`. en.ts has exactly the same keys (its type is this file's).
// vue-i18n treats { } @ | as syntax: do not use them literally.
const messages = {
  auth: {
    title: '登录',
    login: '账号',
    password: '密码',
    loginPlaceholder: '请输入账号',
    passwordPlaceholder: '请输入密码',
    submit: '登录',
    required: '请输入账号和密码',
  },
}

export type Messages = typeof messages
export default messages
