// The wishes a resident has submitted from this device. The API has no "my
// wishes" list for residents (GET …/wishes/manage and …/wishes/{id} are for
// staff), so the ids that POST …/wishes answered are kept in localStorage, per
// account, and their status is read from the public wall.
import type { Id } from '../../api/types'

export interface MyWish {
  id: Id
  title: string
  at: number
}

function key(accountId: Id): string {
  return `linli.myWishes.${accountId}`
}

export function loadMyWishes(accountId: Id): MyWish[] {
  try {
    const raw = window.localStorage.getItem(key(accountId))
    const list = raw ? (JSON.parse(raw) as unknown) : []
    return Array.isArray(list) ? (list.filter((x) => x && typeof x === 'object' && 'id' in x) as MyWish[]) : []
  } catch {
    return []
  }
}

export function rememberMyWish(accountId: Id, wish: MyWish): void {
  const list = loadMyWishes(accountId).filter((w) => String(w.id) !== String(wish.id))
  list.unshift(wish)
  try {
    window.localStorage.setItem(key(accountId), JSON.stringify(list.slice(0, 50)))
  } catch {
    // storage disabled: the list lasts for this page only
  }
}
