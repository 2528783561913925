// The one API client of the web pages: a fetch wrapper that sends the session
// cookie, the UI language (Accept-Language) and, on state-changing methods, the
// CSRF token; it turns the server's error envelope
// {"error":{"code","message","fields"}} into a typed ApiError.
import { currentLang } from '../prefs'
import { t } from '../i18n'

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

export type Query = Record<string, string | number | boolean | null | undefined>

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

export interface RequestOptions {
  query?: Query
  /** JSON body. */
  json?: unknown
  /** A raw text body with its content type (e.g. CSV). */
  text?: { body: string; contentType: string }
  /** Do not treat 401 as "session gone" (login, session probe). */
  expect401?: boolean
  /** Extra request headers (e.g. Idempotency-Key on donations and claims). */
  headers?: Record<string, string>
  /** A file as the body (a photo, a PDF), sent as it is. */
  file?: Blob
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

export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = {
    Accept: 'application/json',
    'Accept-Language': currentLang(),
  }
  let body: string | Blob | undefined
  if (opts.file) {
    body = opts.file
    headers['Content-Type'] = opts.file.type || 'application/octet-stream'
  } else if (opts.text) {
    body = opts.text.body
    headers['Content-Type'] = opts.text.contentType
  } else if (opts.json !== undefined) {
    body = JSON.stringify(opts.json)
    headers['Content-Type'] = 'application/json'
  }
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken
  if (opts.headers) Object.assign(headers, opts.headers)

  let res: Response
  try {
    res = await fetch(buildUrl(path, opts.query), {
      method,
      headers,
      body,
      credentials: 'same-origin',
    })
  } catch {
    throw new ApiError(0, 'network', t('errors.network'))
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
    if (res.status === 401 && !opts.expect401 && unauthorizedHandler) unauthorizedHandler()
    throw err
  }
  if (raw && data === undefined) throw new ApiError(res.status, 'bad_response', t('errors.http', { status: res.status }))
  return data as T
}

/** A file the server sends (a CSV or XLSX export asked for by POST), with the name it gives it. */
export interface Download {
  blob: Blob
  filename: string
}

/** A POST whose answer is a file: the CSRF token goes with it, the error envelope becomes an ApiError. */
export async function postForFile(path: string, json: unknown): Promise<Download> {
  const headers: Record<string, string> = {
    'Accept-Language': currentLang(),
    'Content-Type': 'application/json',
  }
  if (csrfToken) headers['X-CSRF-Token'] = csrfToken
  let res: Response
  try {
    res = await fetch(path, { method: 'POST', headers, body: JSON.stringify(json), credentials: 'same-origin' })
  } catch {
    throw new ApiError(0, 'network', t('errors.network'))
  }
  if (!res.ok) {
    let data: unknown = undefined
    try {
      data = await res.json()
    } catch {
      data = undefined
    }
    const err = parseError(res.status, data)
    if (res.status === 401 && unauthorizedHandler) unauthorizedHandler()
    throw err
  }
  const m = /filename="([^"]+)"/.exec(res.headers.get('Content-Disposition') ?? '')
  return { blob: await res.blob(), filename: m ? m[1] : 'export' }
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
  get: <T>(path: string, query?: Query, opts: RequestOptions = {}) => request<T>('GET', path, { ...opts, query }),
  post: <T>(path: string, json?: unknown, opts: RequestOptions = {}) => request<T>('POST', path, { ...opts, json }),
  put: <T>(path: string, json?: unknown, opts: RequestOptions = {}) => request<T>('PUT', path, { ...opts, json }),
  patch: <T>(path: string, json?: unknown, opts: RequestOptions = {}) => request<T>('PATCH', path, { ...opts, json }),
  del: <T>(path: string, opts: RequestOptions = {}) => request<T>('DELETE', path, opts),
  postText: <T>(path: string, body: string, contentType: string) =>
    request<T>('POST', path, { text: { body, contentType } }),
}

/** The base path of one community's resources. */
export function communityPath(communityId: string | number, rest = ''): string {
  return `/api/v1/communities/${encodeURIComponent(String(communityId))}${rest}`
}
