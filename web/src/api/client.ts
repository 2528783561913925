// The one API client of the web pages: a fetch wrapper that sends the session
// cookie, the UI language (Accept-Language) and, on state-changing methods, the
// CSRF token; it turns the server's error envelope
// {"error":{"code","message","fields"}} into a typed ApiError.
//
// Every call names an operation of the OpenAPI document by its method and path
// template ('/api/v1/communities/{community_id}/people'); its path parameters,
// query and body are typed from src/api/openapi.ts, which is generated from the
// document (npm run api-types). A path, a query parameter or a body field the
// document does not have fails the type check. The answer's type is the one the
// caller's declared return type asks for (the document does not describe
// answers); without one it is unknown.
import { currentLang } from '../prefs'
import { t } from '../i18n'
import type { NoParams, Paths, QueryValue } from './openapi'

export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly fields: Record<string, string>

  constructor(status: number, code: string, message: string, fields: Record<string, string> = {}) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.fields = fields
  }
}

/** The message to show a person for any thrown value. */
export function errorMessage(e: unknown): string {
  if (e instanceof ApiError) return e.message
  if (e instanceof Error && e.message) return e.message
  return t('errors.network')
}

/** Like errorMessage, but a refusal that names fields says what is wrong with each (for pages that
 *  show one message rather than errors beside each field). */
export function errorDetail(e: unknown): string {
  if (e instanceof ApiError && Object.keys(e.fields).length) return Object.values(e.fields).join('；')
  return errorMessage(e)
}

export type Query = Record<string, QueryValue>
export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete'

/** The paths that have an operation for this method. */
export type PathOf<M extends Method> = { [P in keyof Paths]: M extends keyof Paths[P] ? P : never }[keyof Paths]
export type Operation<M extends Method, P extends keyof Paths> = M extends keyof Paths[P] ? Paths[P][M] : never
export type BodyOf<M extends Method, P extends keyof Paths> = Operation<M, P> extends { body: infer B } ? B : never
export type QueryOf<M extends Method, P extends keyof Paths> = Operation<M, P> extends { query: infer Q } ? Q : never

/** T, with every key that S does not have (at any depth) turned into never: a variable of a wider
 *  type than the document's body (an extra field) fails to match, not only an object literal. */
type Exact<T, S> = T extends readonly (infer E)[]
  ? S extends readonly (infer F)[]
    ? readonly Exact<E, F>[]
    : never
  : T extends object
    ? [keyof S] extends [never]
      ? T // the document says only "an object": any shape
      : { [K in keyof T]: K extends keyof S ? Exact<T[K], S[K]> : never }
    : T

type PathArgs<O> = O extends { path: infer A } ? ([keyof A] extends [never] ? { path?: NoParams } : { path: A }) : object
type BodyArgs<O, B> = O extends { body: unknown }
  ? { body: B }
  : O extends { upload: 'text/csv' }
    ? { text: string }
    : O extends { upload: 'file' }
      ? { file: Blob }
      : { body?: undefined }

export type CallArgs<M extends Method, P extends keyof Paths, B = never> = PathArgs<Operation<M, P>> &
  BodyArgs<Operation<M, P>, B> & {
    query?: QueryOf<M, P>
    /** Extra request headers (e.g. Idempotency-Key on donations and claims). */
    headers?: Record<string, string>
    /** Do not treat 401 as "session gone" (login, session probe). */
    expect401?: boolean
  }

/** The arguments, optional when the operation needs none. */
type ArgList<M extends Method, P extends keyof Paths, B> = Record<never, never> extends CallArgs<M, P, B>
  ? [args?: CallArgs<M, P, B>]
  : [args: CallArgs<M, P, B>]

interface AnyArgs {
  path?: Record<string, unknown>
  query?: Query
  body?: unknown
  text?: string
  file?: Blob
  headers?: Record<string, string>
  expect401?: boolean
}

let csrfToken = ''
let unauthorizedHandler: (() => void) | null = null

export function setCsrfToken(token: string): void {
  csrfToken = token
}

/** Called when any request other than the session calls answers 401. */
export function onUnauthorized(fn: () => void): void {
  unauthorizedHandler = fn
}

/** path + query string; empty, null and undefined values are left out. */
export function buildUrl(path: string, query?: Query): string {
  const sp = new URLSearchParams()
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v === undefined || v === null || v === '') continue
    sp.set(k, typeof v === 'boolean' ? (v ? '1' : '0') : String(v))
  }
  const s = sp.toString()
  return s ? `${path}?${s}` : path
}

/** The path template with its {parameters} filled in. */
function fillPath(template: string, params: Record<string, unknown> = {}): string {
  return template.replace(/\{([a-z_]+)\}/g, (_, name: string) => {
    const v = params[name]
    if (v === undefined || v === null || v === '') throw new ApiError(0, 'bad_request', t('errors.http', { status: 400 }))
    return encodeURIComponent(String(v))
  })
}

interface ErrorEnvelope {
  error?: { code?: unknown; message?: unknown; fields?: unknown }
}

function parseError(status: number, data: unknown): ApiError {
  const env = (data && typeof data === 'object' ? (data as ErrorEnvelope).error : undefined) ?? {}
  const code = typeof env.code === 'string' ? env.code : `http_${status}`
  const message =
    typeof env.message === 'string' && env.message ? env.message : t('errors.http', { status })
  const fields: Record<string, string> = {}
  if (env.fields && typeof env.fields === 'object') {
    for (const [k, v] of Object.entries(env.fields as Record<string, unknown>)) {
      if (typeof v === 'string') fields[k] = v
    }
  }
  return new ApiError(status, code, message, fields)
}

/** Sends a request; the answer's JSON, or (asFile) the file it carries (a CSV or XLSX export). */
async function send(method: Method, template: string, args: AnyArgs = {}, asFile = false): Promise<unknown> {
  const headers: Record<string, string> = {
    Accept: asFile ? '*/*' : 'application/json',
    'Accept-Language': currentLang(),
  }
  let body: string | Blob | undefined
  if (args.file) {
    body = args.file
    headers['Content-Type'] = args.file.type || 'application/octet-stream'
  } else if (args.text !== undefined) {
    body = args.text
    headers['Content-Type'] = 'text/csv'
  } else if (args.body !== undefined) {
    body = JSON.stringify(args.body)
    headers['Content-Type'] = 'application/json'
  }
  if (method !== 'get' && csrfToken) headers['X-CSRF-Token'] = csrfToken
  if (args.headers) Object.assign(headers, args.headers)

  let res: Response
  try {
    res = await fetch(buildUrl(fillPath(template, args.path), args.query), {
      method: method.toUpperCase(),
      headers,
      body,
      credentials: 'same-origin',
    })
  } catch {
    throw new ApiError(0, 'network', t('errors.network'))
  }

  if (asFile && res.ok) {
    const m = /filename="([^"]+)"/.exec(res.headers.get('Content-Disposition') ?? '')
    return { blob: await res.blob(), filename: m ? m[1] : 'export' } satisfies Download
  }
  const raw = res.status === 204 ? '' : await res.text()
  let data: unknown = undefined
  if (raw) {
    try {
      data = JSON.parse(raw)
    } catch {
      data = undefined // not JSON (a proxy's error page): handled below
    }
  }
  if (!res.ok) {
    const err = parseError(res.status, data)
    if (res.status === 401 && !args.expect401 && unauthorizedHandler) unauthorizedHandler()
    throw err
  }
  if (raw && data === undefined) throw new ApiError(res.status, 'bad_response', t('errors.http', { status: res.status }))
  return data
}

function caller<M extends Method>(method: M) {
  return <P extends PathOf<M>, B extends BodyOf<M, P> = BodyOf<M, P>, R = unknown>(
    path: P,
    ...args: ArgList<M, P, B & Exact<B, BodyOf<M, P>>>
  ): Promise<R> => send(method, path, args[0] as AnyArgs) as Promise<R>
}

/** A file the server sends (a CSV or XLSX export asked for by POST), with the name it gives it. */
export interface Download {
  blob: Blob
  filename: string
}

/** Hands a downloaded file to the browser as a download. */
export function saveDownload(d: Download): void {
  const url = URL.createObjectURL(d.blob)
  const a = document.createElement('a')
  a.href = url
  a.download = d.filename
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 60_000)
}

export const api = {
  get: caller('get'),
  post: caller('post'),
  put: caller('put'),
  patch: caller('patch'),
  del: caller('delete'),
  /** A POST whose answer is a file (an export asked for by POST: audited, so never a link another
   *  site could make a browser follow); the CSRF token goes with it, a refusal is an ApiError. */
  postForFile: <P extends PathOf<'post'>, B extends BodyOf<'post', P> = BodyOf<'post', P>>(
    path: P,
    ...args: ArgList<'post', P, B & Exact<B, BodyOf<'post', P>>>
  ): Promise<Download> => send('post', path, args[0] as AnyArgs, true) as Promise<Download>,
}

/** The address of a GET operation, for a link or an image (an export, a QR code, a photo). */
export function apiUrl<P extends PathOf<'get'>>(path: P, ...args: ArgList<'get', P, never>): string {
  const a = (args[0] ?? {}) as AnyArgs
  return buildUrl(fillPath(path, a.path), a.query)
}

/** A fresh Idempotency-Key: a random UUID (also where crypto.randomUUID is missing, on plain http). */
export function newIdempotencyKey(): string {
  const c = globalThis.crypto
  if (c && typeof c.randomUUID === 'function') return c.randomUUID()
  const b = new Uint8Array(16)
  if (c && typeof c.getRandomValues === 'function') c.getRandomValues(b)
  else for (let i = 0; i < 16; i++) b[i] = Math.floor(Math.random() * 256)
  b[6] = (b[6] & 0x0f) | 0x40
  b[8] = (b[8] & 0x3f) | 0x80
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}

/** The header that makes a write happen once however often it is sent. */
export function idempotent(key: string): Record<string, string> {
  return { 'Idempotency-Key': key }
}
