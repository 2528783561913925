// Clear messages for the volunteer errors a person can meet (sign-up, cancel,
// check-in): the server's code decides the text from the i18n files; other
// errors keep the server's own (already translated) message.
import { ApiError, errorMessage } from '../../api/client'
import { i18n, t } from '../../i18n'

/** The text to show for an error of a volunteer action. */
export function volErrorMessage(e: unknown): string {
  if (e instanceof ApiError) {
    if (e.code === 'training_required' && e.fields.training_id) return e.fields.training_id
    const key = `volunteers.errors.${e.code}`
    if (i18n.global.te(key)) return t(key)
    // The volunteer-only actions answer 403 to a member who is not an approved volunteer.
    if (e.status === 403) return t('volunteers.errors.not_a_volunteer')
  }
  return errorMessage(e)
}

/** True when the error means "apply first": not a volunteer (yet). */
export function needsApplication(e: unknown): boolean {
  return e instanceof ApiError && (e.code === 'not_a_volunteer' || e.status === 403)
}
