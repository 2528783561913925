// What a web module declares about itself, in pages/<name>/index.ts (its default
// export): its routes in each frame, its part of the staff menu, its tabs of the
// resident shell, its links on the public pages, its cards on the 我的 tab, and its
// messages. src/modules.ts finds every pages/*/index.ts with import.meta.glob and
// builds the router's routes, the menu, the tab bar and the i18n messages from
// them; nothing else lists modules. Menu groups, tabs and links are placed by
// their `order` (smaller first), as vben orders its menu by route meta orderNo.
// tests/web/modules.test.mjs checks the declarations (see docs/architecture.md).
import type { Component } from 'vue'
import type { RouteLocationRaw, RouteRecordRaw } from 'vue-router'

/** A menu item: one of the module's own routes, by its name. The label is the route's
 *  meta.title unless given; the test id is nav-<route name> unless given. */
export interface MenuItem {
  route: string
  label?: string
  testid?: string
}

/** A group of the staff menu (a sub-menu) with its items. */
export interface MenuGroup {
  label: string
  testid?: string
  /** Open when the console opens. */
  open?: boolean
  items: MenuItem[]
}

/** A tab of the resident shell's tab bar: one of the module's routes. */
export interface MobileTab {
  route: string
  label: string
  /** A Vant icon name. */
  icon: string
  testid: string
  order: number
}

/** A link in the public pages' top bar (the wish wall, the fund). */
export interface PublicLink {
  route: string
  label: string
  testid?: string
  query?: Record<string, string>
  /** Shown only to someone signed in. */
  signedIn?: boolean
  order: number
}

export interface WebModule {
  /** The folder's name: pages/<name>/. Its messages are under this key. */
  name: string
  routes?: {
    /** Pages in the staff console's frame (children of '/'). */
    staff?: RouteRecordRaw[]
    /** Pages in the resident shell (children of '/m'). */
    mobile?: RouteRecordRaw[]
    /** Pages of their own, outside both frames: public pages, print sheets, the login. */
    pages?: RouteRecordRaw[]
  }
  /** The module's entry in the staff menu: a group of items, or a single item. */
  menu?: (MenuGroup | MenuItem) & { order: number }
  tabs?: MobileTab[]
  publicLinks?: PublicLink[]
  /** Sections of the resident shell's 我的 tab. */
  meCards?: { order: number; component: () => Promise<Component | { default: Component }> }[]
  /** The module's strings: { '<name>': { … } } in each language. */
  messages: { 'zh-CN': Record<string, unknown>; en: Record<string, unknown> }
}

export function isGroup(m: MenuGroup | MenuItem): m is MenuGroup {
  return 'items' in m
}

/** Where a public link goes, keeping ?c= (the community) on public pages. */
export function publicLinkTarget(l: PublicLink, keep: Record<string, unknown>): RouteLocationRaw {
  return { name: l.route, query: l.query ?? keep } as RouteLocationRaw
}
