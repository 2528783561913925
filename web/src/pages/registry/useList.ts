// A paged, searchable list of one community resource (compounds, people, …):
// the state behind a table, its pager and its export links.
import { computed, ref, shallowRef, type Ref } from 'vue'
import { api, buildUrl, communityPath, errorMessage, type Query } from '../../api/client'
import type { ListPage } from '../../api/types'
import { session } from '../../session'

export interface ListOptions<P> {
  /** Extra filters sent with every request and export (compound_id, tag, …). */
  filters?: () => Query
  pageSize?: number
  /** Fetches a page instead of GET base?query (a list that is sometimes asked for by POST). */
  fetchPage?: (base: string, query: Query) => Promise<P>
}

export function useList<T, P extends ListPage<T> = ListPage<T>>(resource: string, opts: ListOptions<P> = {}) {
  const q = ref('')
  const limit = ref(opts.pageSize ?? 20)
  const offset = ref(0)
  const items = ref([]) as Ref<T[]>
  const total = ref(0)
  const last = shallowRef<P | null>(null)
  const loading = ref(false)
  const error = ref('')
  let seq = 0

  const base = computed(() => (session.communityId === null ? '' : communityPath(session.communityId, `/${resource}`)))

  function filterQuery(): Query {
    return { q: q.value.trim(), ...(opts.filters ? opts.filters() : {}) }
  }

  /** Loads the current page; extra is added to this request only. Rejects on error. */
  async function load(extra: Query = {}): Promise<void> {
    if (!base.value) return
    const mine = ++seq
    loading.value = true
    error.value = ''
    try {
      const query = { ...filterQuery(), limit: limit.value, offset: offset.value, ...extra }
      const page = await (opts.fetchPage ? opts.fetchPage(base.value, query) : api.get<P>(base.value, query))
      if (mine !== seq) return // a newer request has been sent meanwhile
      last.value = page
      items.value = page.items ?? []
      total.value = page.total ?? items.value.length
    } catch (e) {
      if (mine === seq) error.value = errorMessage(e)
      throw e
    } finally {
      if (mine === seq) loading.value = false
    }
  }

  /** load() for event handlers: the error is already in error.value. */
  function reload(extra: Query = {}): void {
    load(extra).catch(() => undefined)
  }

  const page = computed(() => Math.floor(offset.value / limit.value) + 1)

  function setPage(p: number, extra: Query = {}): void {
    offset.value = (p - 1) * limit.value
    reload(extra)
  }

  function setPageSize(n: number, extra: Query = {}): void {
    limit.value = n
    offset.value = 0
    reload(extra)
  }

  function search(extra: Query = {}): void {
    offset.value = 0
    reload(extra)
  }

  /** The list URL as a file download (the current search and filters, all pages). */
  function exportUrl(format: 'csv' | 'xlsx', extra: Query = {}): string {
    return base.value ? buildUrl(base.value, { ...filterQuery(), ...extra, format }) : '#'
  }

  return { q, limit, offset, items, total, last, loading, error, base, load, reload, page, setPage, setPageSize, search, exportUrl }
}
