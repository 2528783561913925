// A paged, searchable list of one community's resource (compounds, people,
// hours, a round's proposals, …): the state behind <ListPage>'s table, its pager
// and its export links. The list is named by its path below the community, as
// the OpenAPI document has it ('/people', '/grant-rounds/{round_id}/proposals');
// its filters are typed from the document's query parameters. A list may have an
// audited twin, a POST with the same arguments in its body (…/people/unmask): the
// list is then asked for by POST when the page says so, or when the GET answers
// 400 use_post, and its export is a POST too, saved as a download.
import { computed, reactive, ref, shallowRef, type Ref } from 'vue'
import { ApiError, api, apiUrl, errorMessage, saveDownload, type BodyOf, type PathOf, type Query, type QueryOf } from '../api/client'
import { act } from './ask'
import type { Paths } from '../api/openapi'
import type { Id, ListPage } from '../api/types'
import { session } from '../session'

const C = '/api/v1/communities/{community_id}'
type Full<L extends string> = `${typeof C}${L}`

/** The community's paged lists (those that take limit and offset), by their path below the community. */
export type ListPath = {
  [P in PathOf<'get'>]: P extends `${typeof C}${infer L}` ? ('limit' extends keyof QueryOf<'get', P> ? L : never) : never
}[PathOf<'get'>]
/** The community's POSTs that show a list (R_VIEW, its arguments limit, offset, format… in the body). */
export type ViewListPath = {
  [P in PathOf<'post'>]: P extends `${typeof C}${infer L}` ? ('limit' extends keyof BodyOf<'post', P> ? L : never) : never
}[PathOf<'post'>]
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

/** How the last page was asked for: by GET, by the POST twin because the page asked (asked()), or
 *  by the POST twin because the GET answered use_post (a search the server audits). */
export type ListVia = 'get' | 'asked' | 'use_post'

export interface ListOptions<L extends ListPath, V extends ViewListPath = never> {
  /** Filters sent with every request and export (compound_id, tag, status, …). */
  filters?: () => ListFilters<L>
  /** The list's other path parameters ({round_id}, {shift_id}). */
  params?: () => ParamsOf<L>
  pageSize?: number
  /** Page 1 shows the newest rows of a list the API gives oldest first (the fund's ledger). */
  newestFirst?: boolean
  /** The community; the signed-in one by default. */
  community?: () => Id | null
  /** The list's audited twin, a POST below the community taking the list's arguments (q, the
   *  filters, limit, offset, format) in its body; asked when asked() is true, and in place of a GET
   *  answered 400 use_post. The filters' values go into the body as they are (numbers as numbers). */
  post?: { path: V; asked?: () => boolean }
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
  /** Set when the list was shown by its POST twin: its export is a POST too (a download, not a link). */
  exportDownload?: ((format: 'csv' | 'xlsx') => void) | undefined
}

export function useList<L extends ListPath, V extends ViewListPath = never, T = ItemOf<L>, P extends ListPage<T> = PageOf<L> & ListPage<T>>(
  path: L,
  opts: ListOptions<L, V> = {},
) {
  const q = ref('')
  const limit = ref(opts.pageSize ?? 20)
  const page = ref(1)
  const items = ref([]) as Ref<T[]>
  const total = ref(0)
  const last = shallowRef<P | null>(null)
  const loading = ref(false)
  const error = ref('')
  const via = ref<ListVia>('get')
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

  /** The list's arguments as the POST twin's body: empty values left out, the others as they are. */
  function postBody(query: Query): Record<string, unknown> {
    return Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined && v !== null && v !== ''))
  }

  function postTwin(query: Query): Promise<P> {
    const twin = `${C}${opts.post?.path ?? ''}`
    return (api.post as (p: string, a: unknown) => Promise<P>)(twin, { path: pathArgs(), body: postBody(query) })
  }

  /** One page: by GET, or by the POST twin (asked, or when the GET answers use_post); via says which. */
  async function get(query: Query): Promise<P> {
    if (opts.post?.asked?.()) {
      const page = await postTwin(query)
      via.value = 'asked'
      return page
    }
    try {
      // The path and the filters were checked against the document by the types above.
      const page = await (api.get as (p: string, a: unknown) => Promise<P>)(full, { path: pathArgs(), query })
      via.value = 'get'
      return page
    } catch (e) {
      if (!opts.post || !(e instanceof ApiError) || e.code !== 'use_post') throw e
      const page = await postTwin(query)
      via.value = 'use_post'
      return page
    }
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

  /** The export of a list shown by its POST twin: a POST with the CSRF token, saved as a file. */
  function download(format: 'csv' | 'xlsx'): void {
    const twin = `${C}${opts.post?.path ?? ''}`
    const send = api.postForFile as (p: string, a: unknown) => ReturnType<typeof api.postForFile>
    void act(() => send(twin, { path: pathArgs(), body: postBody({ ...filterQuery(), format }) }).then(saveDownload))
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
    via,
    exportDownload: computed(() => (opts.post && via.value !== 'get' ? download : undefined)),
    ready: computed(() => pathArgs() !== null),
  })
}
