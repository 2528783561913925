// Signing in: the strings in English, typed against zh-CN.ts.
import type { Messages } from './zh-CN'

const messages: Messages = {
  auth: {
    title: 'Sign in',
    login: 'Account',
    password: 'Password',
    loginPlaceholder: 'Your account name',
    passwordPlaceholder: 'Your password',
    submit: 'Sign in',
    required: 'Enter your account and password',
  },
}

export default messages
