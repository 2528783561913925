// Labels of the volunteer enums (statuses, kinds, sources) in the UI language;
// an unknown value shows as it is.
import { codeLabel, t } from '../../i18n'

const label = (group: string, value: string | null | undefined) => codeLabel(`volunteers.${group}`, value, t('common.none'))

const labels = {
  volunteerStatus: (s: string | null | undefined) => label('volunteerStatus', s),
  kind: (k: string | null | undefined) => label('kinds', k),
  hourStatus: (s: string | null | undefined) => label('hourStatus', s),
  source: (s: string | null | undefined) => label('sources', s),
  signup: (s: string | null | undefined) => label('signupStatus', s),
  certStatus: (s: string | null | undefined) => label('certStatus', s),
  /** "1.5 小时" */
  hours: (h: number | null | undefined) => t('volunteers.hoursValue', { n: h ?? 0 }),
  /** ★★☆☆☆ text for a star level 0–5. */
  stars: (n: number | null | undefined) => {
    const k = Math.max(0, Math.min(5, Math.trunc(n ?? 0)))
    return '★'.repeat(k) + '☆'.repeat(5 - k)
  },
}

export function useVolLabels(): typeof labels {
  return labels
}

/** The Element Plus tag colour of a status. */
export function statusTagType(s: string | null | undefined): 'success' | 'warning' | 'danger' | 'info' | 'primary' {
  switch (s) {
    case 'approved':
    case 'valid':
    case 'confirmed':
      return 'success'
    case 'pending':
    case 'waitlist':
      return 'warning'
    case 'declined':
    case 'revoked':
    case 'altered':
      return 'danger'
    default:
      return 'info'
  }
}

/** 90 → 1.5 (hours, one decimal, as the server rounds: down to a tenth). */
export function minutesToHours(minutes: number): number {
  return Math.floor(minutes / 6) / 10
}
