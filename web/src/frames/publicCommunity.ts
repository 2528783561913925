// Which community a public page (no login needed) shows: ?c=ID in the address,
// else the signed-in person's community, else the first community the server
// lists (GET /api/v1/communities is public). Also whether someone is signed in,
// asked quietly (a 401 here never sends anyone to the login page).
import { reactive, ref } from 'vue'
import { useRoute } from 'vue-router'
import { api } from '../api/client'
import { t } from '../i18n'
import { useLoad } from '../ui/useLoad'
import type { CommunitySummary, Id, ListPage } from '../api/types'
import { pickCommunity, probeSession, session } from '../session'

export const publicCommunity = reactive({
  id: null as Id | null,
  name: '',
  place: '',
  signedIn: false,
})

let communities: CommunitySummary[] | null = null

async function listCommunities(): Promise<CommunitySummary[]> {
  if (!communities) {
    const page: ListPage<CommunitySummary> = await api.get('/api/v1/communities', { query: { limit: 500 } })
    communities = page.items
  }
  return communities
}

/** Resolves the community for a public page; throws when the server cannot be reached. */
export async function resolvePublicCommunity(fromQuery: unknown): Promise<Id | null> {
  try {
    publicCommunity.signedIn = session.account ? true : await probeSession()
  } catch {
    publicCommunity.signedIn = false
  }
  let id: Id | null = null
  const q = Array.isArray(fromQuery) ? fromQuery[0] : fromQuery
  if (typeof q === 'string' && /^\d+$/.test(q)) id = q
  if (id === null && publicCommunity.signedIn) {
    try {
      id = await pickCommunity()
    } catch {
      id = null
    }
  }
  const list = await listCommunities()
  if (id === null && list.length > 0) id = list[0].id
  const found = list.find((c) => String(c.id) === String(id))
  publicCommunity.id = id
  publicCommunity.name = found?.name ?? ''
  publicCommunity.place = found ? `${found.district_name} · ${found.town_name}` : ''
  return id
}

/** A public page's data: the community resolved from ?c=, then the page's own load with it.
 *  page.loading and page.error are what the page shows meanwhile. */
export function usePublicPage(load: (cid: Id) => Promise<unknown> = async () => undefined) {
  const route = useRoute()
  const cid = ref<Id | null>(null)
  const page = useLoad(async () => {
    cid.value = await resolvePublicCommunity(route.query.c)
    if (cid.value === null) throw new Error(t('errors.noPublicCommunity'))
    await load(cid.value)
  })
  return { route, cid, page }
}
