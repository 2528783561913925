// The community and round a public micro-grant page shows (?c= chooses the
// community, as on the other public pages), then the page's own data (then).
import { ref } from 'vue'
import { useRoute } from 'vue-router'
import type { Id } from '../../api/types'
import { usePublicPage } from '../../frames/publicCommunity'
import { grantsApi, type GrantRound } from './api'

export function usePublicRound(then: (cid: Id, round: GrantRound) => Promise<unknown> = async () => undefined) {
  const route = useRoute()
  const round = ref<GrantRound | null>(null)
  const { cid, page } = usePublicPage(async (c) => {
    round.value = await grantsApi.round(c, String(route.params.id))
    await then(c, round.value)
  })
  return { route, cid, round, page }
}
