// The strings every part of the web pages shares, in English (the second
// language); typed against zh-CN.ts.
import type { Messages } from './zh-CN'

const messages: Messages = {
  app: {
    name: 'linli',
    title: 'linli · community building',
    tagline: 'Community building workbench',
  },
  lang: {
    label: 'Language',
    zh: '中文',
    en: 'English',
  },
  largeText: 'Large text',
  common: {
    search: 'Search',
    menu: 'Menu',
    searchPlaceholder: 'Search by keyword',
    create: 'New',
    save: 'Save',
    cancel: 'Cancel',
    close: 'Close',
    exportCsv: 'Export CSV',
    exportXlsx: 'Export XLSX',
    empty: 'No data',
    none: '—',
    all: 'All',
    optional: 'optional',
    saved: 'Saved',
    created: 'Created',
    total: '{n} in total',
    reason: 'Reason',
    required: 'Required',
    signIn: 'Sign in',
    place: '{town}, {district}',
    logout: 'Sign out',
    /** The community's key numbers (the staff home and the phone home). */
    stats: {
      residents: 'Residents',
      compounds: 'Compounds',
      buildings: 'Buildings',
      organisations: 'Organisations',
      venues: 'Venues',
      staff: 'Staff',
      volunteers: 'Volunteers',
      fund: 'Fund balance',
    },
    formInvalid: 'Please check the fields marked in red',
  },
  errors: {
    network: 'Cannot reach the server. Check the network and try again.',
    http: 'Server error ({status}). Please try again later.',
    noCommunity: 'This account has no community yet. Please ask an administrator.',
    noPublicCommunity: 'No community to show',
  },
}

export default messages
