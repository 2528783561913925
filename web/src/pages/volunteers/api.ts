// Volunteers (志愿服务, module 2): the shapes of the volunteer, activity, shift,
// hours and certificate endpoints and the calls, all through the one API client.
// Times are UTC seconds; hours are numbers with one decimal (12.5).
import { api, apiUrl, type BodyOf } from '../../api/client'
import type { Id, ListPage } from '../../api/types'

export const VOLUNTEER_STATUSES = ['pending', 'approved', 'declined'] as const
export type VolunteerStatus = (typeof VOLUNTEER_STATUSES)[number]

export const ACTIVITY_KINDS = ['bazaar', 'sports', 'safety', 'elder_care', 'environment', 'culture', 'event'] as const
export type ActivityKind = (typeof ACTIVITY_KINDS)[number]

export const HOUR_STATUSES = ['pending', 'approved', 'declined'] as const
export type HourStatus = (typeof HOUR_STATUSES)[number]

export interface Volunteer {
  id: number
  number: string | null
  name: string
  status: VolunteerStatus
  is_minor: boolean
  guardian_name: string | null
  guardian_consent: boolean
  skills: string
  availability: string
  decline_reason: string | null
  birth_year: number
  account_id: number | null
  hours: number
  star: number
  /** GET /volunteers/{id} and /volunteers/me only. */
  teams?: string[]
}

export type VolunteerApplication = BodyOf<'post', '/api/v1/communities/{community_id}/volunteers'>

export interface VolunteerTeam {
  id: number
  name: string
  compound_id: number | null
  members: number
}

export interface VolunteerSettings {
  star_thresholds: number[]
  issuer_name: string
  issuer_person: string
  issuer_contact: string
}

export interface Training {
  id: number
  title: string
  held_at: number
  place: string
  attended: number
}

export interface Activity {
  id: number
  title: string
  kind: ActivityKind | string
  place: string
  organiser: string
  coordinator_id: number | null
  description: string
  grace_minutes: number
  weekly: boolean
  upcoming_shifts: number
}

export interface ActivityDetail extends Activity {
  shifts: Shift[]
}

export type ActivityInput = BodyOf<'post', '/api/v1/communities/{community_id}/activities'>

export type SignupStatus = 'confirmed' | 'waitlist' | 'cancelled'

export interface Shift {
  id: number
  activity_id: number
  activity_title: string
  place: string
  starts_at: number
  ends_at: number
  capacity: number
  confirmed: number
  waitlist: number
  adults_only: boolean
  training_id: number | null
  training_title: string | null
  cancel_deadline: number
  /** Where the caller stands; null when not signed up. */
  my_status: SignupStatus | null
}

export type ShiftInput = BodyOf<'post', '/api/v1/communities/{community_id}/activities/{activity_id}/shifts'>

export interface RosterEntry {
  volunteer_id: number
  number: string | null
  name: string
  is_minor: boolean
  status: SignupStatus
  checkin_at: number | null
  checkout_at: number | null
  auto_checkout: boolean
}

export interface ShiftQr {
  token: string
  /** https://…/m/checkin?c=…&s=…&t=…: absolute, at the server's --public-url */
  url: string
  expires_at: number
  /** Trusted server output (libqrencode). */
  svg: string
}

export type ScanState = 'checked_in' | 'already_checked_in' | 'checked_out' | 'already_checked_out'

export interface ScanResult {
  state: ScanState
  volunteer_id: number
  minutes: number
}

export type HourSource = 'shift' | 'self_report' | 'staff_entry' | 'correction'

export interface HourRecord {
  id: number
  volunteer_id: number
  volunteer_number: string | null
  volunteer_name: string
  activity_id: number | null
  activity_title: string | null
  shift_id: number | null
  served_on: string
  minutes: number
  description: string
  organiser: string
  source: HourSource | string
  status: HourStatus
  flagged: boolean
  reason: string | null
  corrects_id: number | null
  corrected_by_id: number | null
  recorded_by: string
  created_at: number
  decided_by: string | null
  decided_at: number | null
}

export type HourReport = BodyOf<'post', '/api/v1/communities/{community_id}/hours'>

export type HourEntry = BodyOf<'post', '/api/v1/communities/{community_id}/hours/entries'>

export interface HoursDecision {
  decided: number[]
  skipped: number[]
}

export interface AwardRow {
  rank: number
  hours: number
  minutes: number
  activities: number
  volunteer_id: number
  volunteer_number: string | null
  volunteer_name: string
  is_minor: boolean
  volunteer: { id: number; number: string | null; name: string }
}

export interface MyCertificate {
  id: number
  serial: string
  period_from: string
  period_to: string
  issued_at: number
  revoked_at: number | null
  /** The certificate's key: the public check shows the details only with it. */
  verify_token: string | null
  /** "/verify/{serial}?k={key}": the check page to give to whoever should see it. */
  verify_path: string
}

export interface AwardsPage extends ListPage<AwardRow> {
  year: number
}

export type CertificateStatus = 'valid' | 'revoked' | 'altered' | 'unknown'

export interface Certificate {
  id: number
  serial: string
  title: string
  volunteer: { name: string; number: string | null; id_number: string }
  period: { from: string; to: string }
  hours: number
  minutes: number
  activities: { title: string; hours: number }[]
  issuer: { name: string; person: string; contact: string }
  issued_on: string
  issued_at: number
  status: CertificateStatus
  valid: boolean
  revoked_at?: number
  revoked_reason?: string
  /** Staff and the volunteer only: the key the QR code carries, and the check page's path. */
  verify_token?: string | null
  verify_path?: string
}

/** The public check: with the certificate's key, what it says (and status); without the key, or
 *  with a wrong one, only whether it is valid. */
export type CertificateCheck = Partial<Certificate> & { valid: boolean }

const C = '/api/v1/communities/{community_id}'
const c = (cid: Id) => ({ community_id: cid })
const v = (cid: Id, id: Id) => ({ community_id: cid, volunteer_id: id })
const sh = (cid: Id, id: Id) => ({ community_id: cid, shift_id: id })

export const volunteersApi = {
  // Volunteers.
  /** Approved volunteers found by name or number, for a choice. */
  find: (cid: Id, q: string): Promise<ListPage<Volunteer>> =>
    api.get(`${C}/volunteers`, { path: c(cid), query: { status: 'approved', q: q.trim(), limit: 50 } }),
  apply: (cid: Id, body: VolunteerApplication): Promise<Volunteer> => api.post(`${C}/volunteers`, { path: c(cid), body }),
  me: (cid: Id): Promise<Volunteer> => api.get(`${C}/volunteers/me`, { path: c(cid) }),
  get: (cid: Id, id: Id): Promise<Volunteer> => api.get(`${C}/volunteers/{volunteer_id}`, { path: v(cid, id) }),
  decide: (cid: Id, id: Id, decision: 'approve' | 'decline', reason?: string): Promise<Volunteer> =>
    api.post(`${C}/volunteers/{volunteer_id}/decision`, { path: v(cid, id), body: reason ? { decision, reason } : { decision } }),
  consent: (cid: Id, id: Id, guardianName: string): Promise<Volunteer> =>
    api.post(`${C}/volunteers/{volunteer_id}/guardian-consent`, { path: v(cid, id), body: { guardian_name: guardianName } }),
  leaderboard: (cid: Id, year: number): Promise<AwardsPage> => api.get(`${C}/volunteers/leaderboard`, { path: c(cid), query: { year } }),
  myCertificates: (cid: Id): Promise<ListPage<MyCertificate>> => api.get(`${C}/volunteers/me/certificates`, { path: c(cid) }),
  calendar: (cid: Id): Promise<{ url: string }> => api.get(`${C}/volunteers/me/calendar`, { path: c(cid) }),
  teams: (cid: Id): Promise<ListPage<VolunteerTeam>> => api.get(`${C}/volunteer-teams`, { path: c(cid), query: { limit: 200 } }),
  settings: (cid: Id): Promise<VolunteerSettings> => api.get(`${C}/volunteer-settings`, { path: c(cid) }),

  // Trainings.
  trainings: (cid: Id): Promise<ListPage<Training>> => api.get(`${C}/trainings`, { path: c(cid), query: { limit: 100 } }),
  createTraining: (cid: Id, body: BodyOf<'post', `${typeof C}/trainings`>): Promise<Training> =>
    api.post(`${C}/trainings`, { path: c(cid), body }),
  attend: (cid: Id, id: Id, volunteerIds: number[]): Promise<unknown> =>
    api.post(`${C}/trainings/{training_id}/attendance`, { path: { community_id: cid, training_id: id }, body: { volunteer_ids: volunteerIds } }),

  // Activities and shifts.
  activities: (cid: Id): Promise<ListPage<Activity>> => api.get(`${C}/activities`, { path: c(cid), query: { limit: 200 } }),
  activity: (cid: Id, id: Id): Promise<ActivityDetail> =>
    api.get(`${C}/activities/{activity_id}`, { path: { community_id: cid, activity_id: id } }),
  createActivity: (cid: Id, body: ActivityInput): Promise<Activity> => api.post(`${C}/activities`, { path: c(cid), body }),
  createShifts: (cid: Id, activityId: Id, body: ShiftInput): Promise<ListPage<Shift>> =>
    api.post(`${C}/activities/{activity_id}/shifts`, { path: { community_id: cid, activity_id: activityId }, body }),
  shifts: (cid: Id): Promise<ListPage<Shift>> => api.get(`${C}/shifts`, { path: c(cid), query: { limit: 300 } }),
  myShifts: (cid: Id): Promise<ListPage<Shift>> => api.get(`${C}/shifts/mine`, { path: c(cid) }),
  signup: (cid: Id, id: Id): Promise<Shift> => api.post(`${C}/shifts/{shift_id}/signup`, { path: sh(cid, id) }),
  cancel: (cid: Id, id: Id): Promise<Shift> => api.post(`${C}/shifts/{shift_id}/cancel`, { path: sh(cid, id) }),
  qr: (cid: Id, id: Id): Promise<ShiftQr> => api.get(`${C}/shifts/{shift_id}/qr`, { path: sh(cid, id) }),
  scan: (cid: Id, id: Id, token: string): Promise<ScanResult> => api.post(`${C}/shifts/{shift_id}/scan`, { path: sh(cid, id), body: { token } }),
  attendance: (cid: Id, id: Id, volunteerId: number, action: 'checkin' | 'checkout'): Promise<{ state: ScanState; minutes: number }> =>
    api.post(`${C}/shifts/{shift_id}/attendance`, { path: sh(cid, id), body: { volunteer_id: volunteerId, action } }),

  // Hours.
  /** One volunteer's records (a correction's history). */
  hoursOf: (cid: Id, volunteerId: Id): Promise<ListPage<HourRecord>> =>
    api.get(`${C}/hours`, { path: c(cid), query: { volunteer_id: volunteerId, limit: 500 } }),
  monthlyUrl: (cid: Id, year: number, format: 'csv' | 'xlsx') => apiUrl(`${C}/hours/monthly`, { path: c(cid), query: { year, format } }),
  myHours: (cid: Id): Promise<ListPage<HourRecord>> => api.get(`${C}/hours/mine`, { path: c(cid), query: { limit: 500 } }),
  report: (cid: Id, body: HourReport): Promise<HourRecord> => api.post(`${C}/hours`, { path: c(cid), body }),
  enter: (cid: Id, body: HourEntry): Promise<HourRecord> => api.post(`${C}/hours/entries`, { path: c(cid), body }),
  decideHours: (cid: Id, ids: number[], decision: 'approve' | 'decline', reason?: string): Promise<HoursDecision> =>
    api.post(`${C}/hours/decision`, { path: c(cid), body: reason ? { ids, decision, reason } : { ids, decision } }),
  correct: (cid: Id, id: Id, body: BodyOf<'post', `${typeof C}/hours/{hour_id}/correct`>): Promise<HourRecord> =>
    api.post(`${C}/hours/{hour_id}/correct`, { path: { community_id: cid, hour_id: id }, body }),

  // Certificates.
  issueCertificate: (cid: Id, volunteerId: Id, from: string, to: string): Promise<Certificate> =>
    api.post(`${C}/volunteers/{volunteer_id}/certificates`, { path: v(cid, volunteerId), body: { from, to } }),
  certificate: (cid: Id, id: Id): Promise<Certificate> =>
    api.get(`${C}/certificates/{certificate_id}`, { path: { community_id: cid, certificate_id: id } }),
  revokeCertificate: (cid: Id, id: Id, reason: string): Promise<Certificate> =>
    api.post(`${C}/certificates/{certificate_id}/revoke`, { path: { community_id: cid, certificate_id: id }, body: { reason } }),
  /** Public, no login. */
  verifyCertificate: (serial: string, key?: string): Promise<CertificateCheck> =>
    api.get('/api/v1/certificates/{serial}', { path: { serial }, query: { k: key } }),
  /** Public: the QR code (SVG) that points to /verify/{serial}?k={key} on this host. */
  certificateQrUrl: (serial: string, key?: string | null) => apiUrl('/api/v1/certificates/{serial}/qr.svg', { path: { serial }, query: { k: key } }),
}

declare module '../../ui/useList' {
  interface ListPages {
    '/volunteers': ListPage<Volunteer>
    '/trainings': ListPage<Training>
    '/activities': ListPage<Activity>
    '/hours': ListPage<HourRecord>
    '/volunteers/awards': AwardsPage
    '/shifts/{shift_id}/roster': ListPage<RosterEntry>
  }
}
