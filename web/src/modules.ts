// The web modules, found — not listed: every pages/<name>/index.ts (a WebModule,
// see module.ts) is picked up by import.meta.glob at build time. The router, the
// staff menu, the resident shell's tabs, the public pages' links and the i18n
// messages are all gathered from them here. Adding a module is adding its folder.
import type { RouteRecordRaw } from 'vue-router'
import type { MobileTab, PublicLink, WebModule } from './module'

const found = import.meta.glob<WebModule>('./pages/*/index.ts', { eager: true, import: 'default' })

export const modules: WebModule[] = Object.entries(found).map(([file, m]) => {
  const folder = file.split('/')[2]
  if (m.name !== folder) throw new Error(`${file} declares the module "${m.name}"; its folder says "${folder}"`)
  return m
})

const byOrder = <T extends { order: number }>(a: T, b: T) => a.order - b.order

export const staffRoutes: RouteRecordRaw[] = modules.flatMap((m) => m.routes?.staff ?? [])
export const mobileRoutes: RouteRecordRaw[] = modules.flatMap((m) => m.routes?.mobile ?? [])
export const pageRoutes: RouteRecordRaw[] = modules.flatMap((m) => m.routes?.pages ?? [])

/** The staff menu: each module's group or item, in order. */
export const staffMenu = modules
  .flatMap((m) => (m.menu ? [{ module: m.name, ...m.menu }] : []))
  .sort(byOrder)

export const mobileTabs: MobileTab[] = modules.flatMap((m) => m.tabs ?? []).sort(byOrder)
export const publicLinks: PublicLink[] = modules.flatMap((m) => m.publicLinks ?? []).sort(byOrder)
export const meCards = modules.flatMap((m) => m.meCards ?? []).sort(byOrder)

/** Every module's messages, per language (each under its module's name). */
export function moduleMessages(lang: 'zh-CN' | 'en'): Record<string, unknown> {
  return Object.assign({}, ...modules.map((m) => m.messages[lang]))
}
