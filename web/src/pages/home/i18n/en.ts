// The community home: the strings in English, typed against zh-CN.ts.
import type { Messages } from './zh-CN'

const messages: Messages = {
  home: {
    menu: 'Home',
    title: 'Community overview',
    residents: 'Residents',
    compounds: 'Compounds',
    buildings: 'Buildings',
    organisations: 'Organisations',
    venues: 'Venues',
    staff: 'Staff',
    volunteers: 'Volunteers',
    fund: 'Fund balance',
    chartTitle: 'Residents per compound',
    chartSeries: 'Residents',
    place: '{town}, {district}',
  },
}

export default messages
