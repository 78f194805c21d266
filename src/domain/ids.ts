/** Entity ids: `{noun lowercase}_{9 base62 chars}` from a cryptographic source, e.g. `contact_fX9bL5nRd`. */
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

export function randomBase62(length: number): string {
  // Rejection sampling keeps the alphabet uniform: 248 = 4 * 62 is the largest multiple of 62 below 256.
  let out = ''
  while (out.length < length) {
    const bytes = crypto.getRandomValues(new Uint8Array(length * 2))
    for (const b of bytes) {
      if (b < 248) out += BASE62[b % 62]
      if (out.length === length) break
    }
  }
  return out
}

export const newId = (prefix: string) => `${prefix}_${randomBase62(9)}`

export const ID_PATTERN = /^[a-z]+_[0-9A-Za-z]{9}$/

/** Whether `id` is shaped like an id `newId(prefix)` makes (routes answer 404 for anything else). */
export const isIdOf = (prefix: string, id: string) => id.startsWith(`${prefix}_`) && ID_PATTERN.test(id)
