// The community home: the strings in English, typed against zh-CN.ts.
import type { Messages } from './zh-CN'

const messages: Messages = {
  home: {
    menu: 'Home',
    title: 'Community overview',
    chartTitle: 'Residents per compound',
    chartSeries: 'Residents',
  },
}

export default messages
