// The signed-in member's own volunteer record (GET /volunteers/me), shared by the
// mobile pages: none (not applied), pending, approved or declined. Approval gives
// the account the volunteer role; when the record is approved but the session
// does not show the role yet, the session is read again (no new login needed).
import { reactive } from 'vue'
import { ApiError } from '../../../api/client'
import type { Id } from '../../../api/types'
import { volunteersApi, type Volunteer } from '../api'
import { probeSession, session } from '../../../session'

export const myVolunteer = reactive({
  record: null as Volunteer | null,
  /** True once GET /volunteers/me answered (with a record or 404). */
  known: false,
  communityId: null as Id | null,
})

export function hasVolunteerRole(cid: Id | null): boolean {
  const roles = session.account?.roles ?? []
  return roles.some((r) => r.role === 'volunteer' && String(r.community_id) === String(cid))
}

/** Loads the record; null when the member has not applied. Other errors are thrown. */
export async function loadMyVolunteer(cid: Id): Promise<Volunteer | null> {
  try {
    const rec = await volunteersApi.me(cid)
    myVolunteer.record = rec
    if (rec.status === 'approved' && !hasVolunteerRole(cid)) {
      await probeSession().catch(() => false)
    }
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 404)) throw e
    myVolunteer.record = null
  }
  myVolunteer.known = true
  myVolunteer.communityId = cid
  return myVolunteer.record
}

export function isApprovedVolunteer(): boolean {
  return myVolunteer.record?.status === 'approved'
}
