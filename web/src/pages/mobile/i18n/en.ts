// The resident shell (/m): its home and 我的 tabs: the strings in English, typed against zh-CN.ts.
import type { Messages } from './zh-CN'

const messages: Messages = {
  mobile: {
    menu: 'Resident app',
    tabs: {
      home: 'Home',
      me: 'Me',
    },
    keyNumbers: 'Community numbers',
    account: 'Signed in as',
    settings: 'Settings',
    staffConsole: 'Open the staff console',
  },
}

export default messages
