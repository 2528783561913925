// Volunteers (志愿服务, module 2): the shapes of the volunteer, activity, shift,
// hours and certificate endpoints and the calls, all through the one API client.
// Times are UTC seconds; hours are numbers with one decimal (12.5).
import { api, buildUrl, communityPath, type Query } from './client'
import type { Id, ListPage } from './types'

export const VOLUNTEER_STATUSES = ['pending', 'approved', 'declined'] as const
export type VolunteerStatus = (typeof VOLUNTEER_STATUSES)[number]

export const ACTIVITY_KINDS = ['bazaar', 'sports', 'safety', 'elder_care', 'environment', 'culture', 'event'] as const
export type ActivityKind = (typeof ACTIVITY_KINDS)[number]

export const HOUR_STATUSES = ['pending', 'approved', 'declined'] as const
export type HourStatus = (typeof HOUR_STATUSES)[number]

export interface Volunteer {
  id: Id
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
  account_id: Id | null
  hours: number
  star: number
  /** GET /volunteers/{id} and /volunteers/me only. */
  teams?: string[]
}

export interface VolunteerApplication {
  name: string
  birth_year: number
  phone?: string
  guardian_name?: string
  guardian_consent?: boolean
  skills?: string
  availability?: string
  team_ids?: Id[]
  /** Staff registering someone who came to the office. */
  for_someone?: boolean
}

export interface VolunteerTeam {
  id: Id
  name: string
  compound_id: Id | null
  members: number
}

export interface VolunteerSettings {
  star_thresholds: number[]
  issuer_name: string
  issuer_person: string
  issuer_contact: string
}

export interface Training {
  id: Id
  title: string
  held_at: number
  place: string
  attended: number
}

export interface Activity {
  id: Id
  title: string
  kind: ActivityKind | string
  place: string
  organiser: string
  coordinator_id: Id | null
  description: string
  grace_minutes: number
  weekly: boolean
  upcoming_shifts: number
}

export interface ActivityDetail extends Activity {
  shifts: Shift[]
}

export interface ActivityInput {
  title: string
  kind: ActivityKind
  place?: string
  organiser?: string
  description?: string
  grace_minutes?: number
  weekly?: boolean
}

export type SignupStatus = 'confirmed' | 'waitlist' | 'cancelled'

export interface Shift {
  id: Id
  activity_id: Id
  activity_title: string
  place: string
  starts_at: number
  ends_at: number
  capacity: number
  confirmed: number
  waitlist: number
  adults_only: boolean
  training_id: Id | null
  training_title: string | null
  cancel_deadline: number
  /** Where the caller stands; null when not signed up. */
  my_status: SignupStatus | null
}

export interface ShiftInput {
  starts_at: number
  ends_at: number
  capacity: number
  adults_only?: boolean
  training_id?: Id
  cancel_deadline?: number
  repeat_weeks?: number
}

export interface RosterEntry {
  volunteer_id: Id
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
  volunteer_id: Id
  minutes: number
}

export type HourSource = 'shift' | 'self_report' | 'staff_entry' | 'correction'

export interface HourRecord {
  id: Id
  volunteer_id: Id
  volunteer_number: string | null
  volunteer_name: string
  activity_id: Id | null
  activity_title: string | null
  shift_id: Id | null
  served_on: string
  minutes: number
  description: string
  organiser: string
  source: HourSource | string
  status: HourStatus
  flagged: boolean
  reason: string | null
  corrects_id: Id | null
  corrected_by_id: Id | null
  recorded_by: string
  created_at: number
  decided_by: string | null
  decided_at: number | null
}

export interface HourReport {
  served_on: string
  minutes: number
  description: string
  activity_id?: Id
}

export interface HourEntry extends HourReport {
  volunteer_id: Id
  reason: string
}

export interface HoursDecision {
  decided: Id[]
  skipped: Id[]
}

export interface AwardRow {
  rank: number
  hours: number
  minutes: number
  activities: number
  volunteer_id: Id
  volunteer_number: string | null
  volunteer_name: string
  is_minor: boolean
  volunteer: { id: Id; number: string | null; name: string }
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
  id: Id
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

const base = (cid: Id, rest = '') => communityPath(cid, rest)
const seg = (id: Id) => encodeURIComponent(String(id))

export const volunteersApi = {
  // Volunteers.
  list: (cid: Id, query: Query = {}) => api.get<ListPage<Volunteer>>(base(cid, '/volunteers'), query),
  listUrl: (cid: Id) => base(cid, '/volunteers'),
  apply: (cid: Id, body: VolunteerApplication) => api.post<Volunteer>(base(cid, '/volunteers'), body),
  me: (cid: Id) => api.get<Volunteer>(base(cid, '/volunteers/me')),
  get: (cid: Id, id: Id) => api.get<Volunteer>(base(cid, `/volunteers/${seg(id)}`)),
  decide: (cid: Id, id: Id, decision: 'approve' | 'decline', reason?: string) =>
    api.post<Volunteer>(base(cid, `/volunteers/${seg(id)}/decision`), reason ? { decision, reason } : { decision }),
  consent: (cid: Id, id: Id, guardianName: string) =>
    api.post<Volunteer>(base(cid, `/volunteers/${seg(id)}/guardian-consent`), { guardian_name: guardianName }),
  awards: (cid: Id, year: number, query: Query = {}) => api.get<AwardsPage>(base(cid, '/volunteers/awards'), { year, ...query }),
  leaderboard: (cid: Id, year: number) => api.get<AwardsPage>(base(cid, '/volunteers/leaderboard'), { year }),
  myCertificates: (cid: Id) => api.get<ListPage<MyCertificate>>(base(cid, '/volunteers/me/certificates')),
  awardsUrl: (cid: Id, year: number, format: 'csv' | 'xlsx') => buildUrl(base(cid, '/volunteers/awards'), { year, format }),
  calendar: (cid: Id) => api.get<{ url: string }>(base(cid, '/volunteers/me/calendar')),
  teams: (cid: Id) => api.get<ListPage<VolunteerTeam>>(base(cid, '/volunteer-teams'), { limit: 200 }),
  settings: (cid: Id) => api.get<VolunteerSettings>(base(cid, '/volunteer-settings')),

  // Trainings.
  trainings: (cid: Id, query: Query = {}) => api.get<ListPage<Training>>(base(cid, '/trainings'), query),
  createTraining: (cid: Id, body: { title: string; held_at: number; place?: string }) =>
    api.post<Training>(base(cid, '/trainings'), body),
  attend: (cid: Id, id: Id, volunteerIds: Id[]) =>
    api.post<unknown>(base(cid, `/trainings/${seg(id)}/attendance`), { volunteer_ids: volunteerIds }),

  // Activities and shifts.
  activities: (cid: Id, query: Query = {}) => api.get<ListPage<Activity>>(base(cid, '/activities'), query),
  activity: (cid: Id, id: Id) => api.get<ActivityDetail>(base(cid, `/activities/${seg(id)}`)),
  createActivity: (cid: Id, body: ActivityInput) => api.post<Activity>(base(cid, '/activities'), body),
  createShifts: (cid: Id, activityId: Id, body: ShiftInput) =>
    api.post<ListPage<Shift>>(base(cid, `/activities/${seg(activityId)}/shifts`), body),
  shifts: (cid: Id, query: Query = {}) => api.get<ListPage<Shift>>(base(cid, '/shifts'), query),
  myShifts: (cid: Id) => api.get<ListPage<Shift>>(base(cid, '/shifts/mine')),
  signup: (cid: Id, id: Id) => api.post<Shift>(base(cid, `/shifts/${seg(id)}/signup`)),
  cancel: (cid: Id, id: Id) => api.post<Shift>(base(cid, `/shifts/${seg(id)}/cancel`)),
  roster: (cid: Id, id: Id) => api.get<ListPage<RosterEntry>>(base(cid, `/shifts/${seg(id)}/roster`), { limit: 500 }),
  rosterUrl: (cid: Id, id: Id, format: 'csv' | 'xlsx') => buildUrl(base(cid, `/shifts/${seg(id)}/roster`), { format }),
  qr: (cid: Id, id: Id) => api.get<ShiftQr>(base(cid, `/shifts/${seg(id)}/qr`)),
  scan: (cid: Id, id: Id, token: string) => api.post<ScanResult>(base(cid, `/shifts/${seg(id)}/scan`), { token }),
  attendance: (cid: Id, id: Id, volunteerId: Id, action: 'checkin' | 'checkout') =>
    api.post<{ state: ScanState; minutes: number }>(base(cid, `/shifts/${seg(id)}/attendance`), { volunteer_id: volunteerId, action }),

  // Hours.
  hours: (cid: Id, query: Query = {}) => api.get<ListPage<HourRecord>>(base(cid, '/hours'), query),
  hoursUrl: (cid: Id) => base(cid, '/hours'),
  monthlyUrl: (cid: Id, year: number, format: 'csv' | 'xlsx') => buildUrl(base(cid, '/hours/monthly'), { year, format }),
  myHours: (cid: Id, query: Query = {}) => api.get<ListPage<HourRecord>>(base(cid, '/hours/mine'), query),
  report: (cid: Id, body: HourReport) => api.post<HourRecord>(base(cid, '/hours'), body),
  enter: (cid: Id, body: HourEntry) => api.post<HourRecord>(base(cid, '/hours/entries'), body),
  decideHours: (cid: Id, ids: Id[], decision: 'approve' | 'decline', reason?: string) =>
    api.post<HoursDecision>(base(cid, '/hours/decision'), reason ? { ids, decision, reason } : { ids, decision }),
  correct: (cid: Id, id: Id, body: { minutes: number; reason: string; served_on?: string }) =>
    api.post<HourRecord>(base(cid, `/hours/${seg(id)}/correct`), body),

  // Certificates.
  issueCertificate: (cid: Id, volunteerId: Id, from: string, to: string) =>
    api.post<Certificate>(base(cid, `/volunteers/${seg(volunteerId)}/certificates`), { from, to }),
  certificate: (cid: Id, id: Id) => api.get<Certificate>(base(cid, `/certificates/${seg(id)}`)),
  revokeCertificate: (cid: Id, id: Id, reason: string) =>
    api.post<Certificate>(base(cid, `/certificates/${seg(id)}/revoke`), { reason }),
  /** Public, no login. */
  verifyCertificate: (serial: string, key?: string) =>
    api.get<CertificateCheck>(`/api/v1/certificates/${seg(serial)}`, key ? { k: key } : {}),
  /** Public: the QR code (SVG) that points to /verify/{serial}?k={key} on this host. */
  certificateQrUrl: (serial: string, key?: string | null) =>
    `/api/v1/certificates/${seg(serial)}/qr.svg${key ? `?k=${encodeURIComponent(key)}` : ''}`,
}
