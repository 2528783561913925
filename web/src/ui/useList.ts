// A paged, searchable list of one community's resource (compounds, people,
// hours, a round's proposals, …): the state behind <ListPage>'s table, its pager
// and its export links. The list is named by its path below the community, as
// the OpenAPI document has it ('/people', '/grant-rounds/{round_id}/proposals');
// its filters are typed from the document's query parameters.
import { computed, reactive, ref, shallowRef, type Ref } from 'vue'
import { api, apiUrl, errorMessage, type PathOf, type Query, type QueryOf } from '../api/client'
import type { Paths } from '../api/openapi'
import type { Id, ListPage } from '../api/types'
import { session } from '../session'

const C = '/api/v1/communities/{community_id}'
type Full<L extends string> = `${typeof C}${L}`

/** The community's paged lists (those that take limit and offset), by their path below the community. */
export type ListPath = {
  [P in PathOf<'get'>]: P extends `${typeof C}${infer L}` ? ('limit' extends keyof QueryOf<'get', P> ? L : never) : never
}[PathOf<'get'>]
/** The answer of each list, declared by its module (module augmentation in the module's api.ts:
 *  `declare module '../../ui/useList' { interface ListPages { '/compounds': ListPage<Compound> } }`). */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface ListPages {}
type PageOf<L extends ListPath> = L extends keyof ListPages ? ListPages[L] : ListPage<unknown>
type ItemOf<L extends ListPath> = PageOf<L> extends ListPage<infer T> ? T : unknown
/** Every list a module declares is a list of the document. */
export const listPagesAreLists: [keyof ListPages] extends [ListPath] ? true : never = true
type ParamsOf<L extends ListPath> = Omit<Paths[Full<L>]['get']['path'], 'community_id'>
export type ListFilters<L extends ListPath> = Omit<QueryOf<'get', Full<L>>, 'limit' | 'offset' | 'format'>

export interface ListOptions<L extends ListPath> {
  /** Filters sent with every request and export (compound_id, tag, status, …). */
  filters?: () => ListFilters<L>
  /** The list's other path parameters ({round_id}, {shift_id}). */
  params?: () => ParamsOf<L>
  pageSize?: number
  /** Page 1 shows the newest rows of a list the API gives oldest first (the fund's ledger). */
  newestFirst?: boolean
  /** The community; the signed-in one by default. */
  community?: () => Id | null
}

/** What <ListPage> and <Pager> need of a list. */
export interface ListState<T = unknown> {
  q: string
  limit: number
  page: number
  items: T[]
  total: number
  loading: boolean
  error: string
  setPage(p: number): void
  setPageSize(n: number): void
  search(): void
  exportUrl(format: 'csv' | 'xlsx'): string
}

export function useList<L extends ListPath, T = ItemOf<L>, P extends ListPage<T> = PageOf<L> & ListPage<T>>(path: L, opts: ListOptions<L> = {}) {
  const q = ref('')
  const limit = ref(opts.pageSize ?? 20)
  const page = ref(1)
  const items = ref([]) as Ref<T[]>
  const total = ref(0)
  const last = shallowRef<P | null>(null)
  const loading = ref(false)
  const error = ref('')
  let seq = 0

  const community = () => (opts.community ? opts.community() : session.communityId)
  const full = `${C}${path}` as Full<L>

  function pathArgs(): Record<string, unknown> | null {
    const cid = community()
    return cid === null ? null : { community_id: cid, ...(opts.params ? opts.params() : {}) }
  }

  function filterQuery(): Query {
    return { q: q.value.trim(), ...((opts.filters ? opts.filters() : {}) as Query) }
  }

  function get(query: Query): Promise<P> {
    // The path and the filters were checked against the document by the types above.
    return (api.get as (p: string, a: unknown) => Promise<P>)(full, { path: pathArgs(), query })
  }

  /** Loads the current page. Rejects on error (also shown in error). */
  async function load(): Promise<void> {
    if (!pathArgs()) return
    const mine = ++seq
    loading.value = true
    error.value = ''
    try {
      let result: P
      if (opts.newestFirst) {
        // The API pages oldest first: page 1 is the last `limit` rows, counted from the end.
        if (page.value === 1 || total.value === 0) total.value = (await get({ ...filterQuery(), limit: 1, offset: 0 })).total
        const end = Math.max(0, total.value - (page.value - 1) * limit.value)
        const from = Math.max(0, end - limit.value)
        result = await get({ ...filterQuery(), limit: Math.max(1, end - from), offset: from })
        if (end === 0) result = { ...result, items: [] }
        else result = { ...result, items: [...result.items].reverse() }
      } else {
        result = await get({ ...filterQuery(), limit: limit.value, offset: (page.value - 1) * limit.value })
      }
      if (mine !== seq) return // a newer request has been sent meanwhile
      last.value = result
      items.value = result.items ?? []
      total.value = result.total ?? items.value.length
    } catch (e) {
      if (mine === seq) error.value = errorMessage(e)
      throw e
    } finally {
      if (mine === seq) loading.value = false
    }
  }

  /** load() for event handlers: the error is already in error. */
  function reload(): void {
    load().catch(() => undefined)
  }

  function setPage(p: number): void {
    page.value = p
    reload()
  }

  function setPageSize(n: number): void {
    limit.value = n
    setPage(1)
  }

  function search(): void {
    setPage(1)
  }

  /** The list as a file download (the current search and filters, all pages). */
  function exportUrl(format: 'csv' | 'xlsx'): string {
    const p = pathArgs()
    return p ? (apiUrl as (path: string, a: unknown) => string)(full, { path: p, query: { ...filterQuery(), format } }) : '#'
  }

  return reactive({
    q,
    limit,
    page,
    items,
    total,
    last,
    loading,
    error,
    load,
    reload,
    setPage,
    setPageSize,
    search,
    exportUrl,
    ready: computed(() => pathArgs() !== null),
  })
}
