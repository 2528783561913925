// Labels and colours of the wish codes in the UI language.
import { codeLabel as label } from '../../i18n'

export const statusLabel = (s: string | null | undefined) => label('wishes.status', s)
export const categoryLabel = (s: string | null | undefined) => label('wishes.category', s)
export const urgencyLabel = (s: string | null | undefined) => label('wishes.urgency', s)
export const verifyMethodLabel = (s: string | null | undefined) => label('wishes.verifyMethods', s)
export const donorKindLabel = (s: string | null | undefined) => label('wishes.donorKinds', s)
export const claimStatusLabel = (s: string | null | undefined) => label('wishes.claimStatus', s)
export const releaseReasonLabel = (s: string | null | undefined) => label('wishes.releaseReasons', s)

export const URGENCY_COLOURS: Record<string, string> = { red: '#ee0a24', yellow: '#f2a100', blue: '#1989fa' }

/** Element Plus tag type of a wish status. */
export function statusTagType(s: string): 'primary' | 'success' | 'warning' | 'info' | 'danger' {
  switch (s) {
    case 'submitted':
      return 'warning'
    case 'published':
      return 'primary'
    case 'claimed':
      return 'warning'
    case 'fulfilled':
    case 'closed':
      return 'success'
    case 'declined':
      return 'danger'
    default:
      return 'info'
  }
}
