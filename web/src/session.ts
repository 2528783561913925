// Who is signed in and which community the pages work on. The session cookie is
// HttpOnly; the CSRF token comes back in every session answer and is kept in
// memory only. The community is the first one the account has a role in; an
// admin without community roles gets the first of GET /api/v1/communities.
import { reactive } from 'vue'
import { ApiError, api, setCsrfToken } from './api/client'
import { t } from './i18n'
import { formatCount, formatFen } from './ui/format'
import type { CommunityDetail, CommunitySummary, Id, ListPage, SessionInfo, Account } from './api/types'

export const session = reactive({
  account: null as Account | null,
  communityId: null as Id | null,
  community: null as CommunityDetail | null,
})

function accept(info: SessionInfo): void {
  session.account = info.account
  setCsrfToken(info.csrf_token ?? '')
}

export function clearSession(): void {
  session.account = null
  session.communityId = null
  session.community = null
  setCsrfToken('')
}

/** Asks the server for the current session; false when there is none (401). */
export async function probeSession(): Promise<boolean> {
  try {
    const info: SessionInfo = await api.get('/api/v1/session', { expect401: true })
    accept(info)
    return true
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      clearSession()
      return false
    }
    throw e
  }
}

export async function signIn(login: string, password: string): Promise<void> {
  clearSession()
  const info: SessionInfo = await api.post('/api/v1/session', { body: { login, password }, expect401: true })
  accept(info)
}

export async function signOut(): Promise<void> {
  try {
    await api.del('/api/v1/session', { expect401: true })
  } finally {
    clearSession()
  }
}

/** Chooses the community to work on; null when the account has none. */
export async function pickCommunity(): Promise<Id | null> {
  const acc = session.account
  if (!acc) return null
  if (session.communityId !== null) return session.communityId
  if (acc.roles && acc.roles.length > 0) {
    session.communityId = acc.roles[0].community_id
  } else if (acc.global_roles && acc.global_roles.length > 0) {
    const list: ListPage<CommunitySummary> = await api.get('/api/v1/communities')
    session.communityId = list.items.length > 0 ? list.items[0].id : null
  }
  return session.communityId
}

/** The community a staff page works on (the console shows its pages only once one is chosen). */
export function currentCommunity(): Id {
  if (session.communityId === null) throw new ApiError(0, 'no_community', t('errors.noCommunity'))
  return session.communityId
}

/** The community of a phone page: the account's (chosen now if need be); refused when it has none. */
export async function myCommunity(): Promise<Id> {
  const id = session.communityId ?? (await pickCommunity())
  if (id === null) throw new ApiError(0, 'no_community', t('errors.noCommunity'))
  return id
}

/** Loads (or reloads) the chosen community with its key numbers. */
export async function loadCommunity(): Promise<CommunityDetail | null> {
  const id = session.communityId ?? (await pickCommunity())
  if (id === null) return null
  session.community = await api.get('/api/v1/communities/{community_id}', { path: { community_id: id } })
  return session.community
}

type KeyNumber = 'residents' | 'compounds' | 'buildings' | 'organisations' | 'venues' | 'staff' | 'volunteers' | 'fund'

/** The chosen community's key numbers, as the home pages show them: key, label and text. */
export function keyNumbers(keys: KeyNumber[]): { key: KeyNumber; label: string; value: string }[] {
  const s = session.community?.stats
  return keys.map((key) => ({
    key,
    label: t(`common.stats.${key}`),
    value: key === 'fund' ? formatFen(s?.fund_balance_fen) : formatCount(s?.[key]),
  }))
}
