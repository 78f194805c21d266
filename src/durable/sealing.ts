/**
 * Sealing an event's personal fields. At append, each personal value in `data`, `before` and
 * `after` is taken out of the stored JSON and the values go, as one small JSON document,
 * into the event's `sealed` column, encrypted with XChaCha20-Poly1305 under the record's key
 * (random 192-bit nonce per event). Readers put them back while the key exists; once the record is
 * forgotten they stay out: the stored event never changes, so the log stays append-only and its
 * hash chain (which covers `sealed`) still verifies.
 */
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js'
import { managedNonce } from '@noble/ciphers/utils.js'
import { holdsPersonalValue } from '../domain/personal-data'

const aead = managedNonce(xchacha20poly1305)

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** The runtime's own Uint8Array.prototype.toBase64 where it has one (same alphabet and padding as btoa). */
const nativeToBase64 = (Uint8Array.prototype as { toBase64?: () => string }).toBase64
function bytesToBase64(bytes: Uint8Array): string {
  if (nativeToBase64) return nativeToBase64.call(bytes)
  let binary = ''
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(binary)
}
const base64ToBytes = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0))

type Json = Record<string, unknown>
/** The sealed values of one event: `d` from data, `b` from a stored before, `a` from after. */
export interface Sealed {
  d?: Json
  b?: Json
  a?: Json
}
export type Section = keyof Sealed

/**
 * The value with its personal values taken out (the keys removed: a reader without the key sees a
 * record that never had them), and what was taken. A forgotten record's markers stay in the clear.
 */
export function takePersonal<T extends Json | null>(value: T, fields: readonly string[]): [T, Json | undefined] {
  if (!value || fields.length === 0) return [value, undefined]
  let taken: Json | undefined
  let stored: Json | undefined
  for (const name of fields) {
    const v = value[name]
    if (!holdsPersonalValue(v)) continue
    ;(taken ??= {})[name] = v
    delete (stored ??= { ...value })[name]
  }
  return [(stored ?? value) as T, taken]
}

export function seal(key: Uint8Array, sealed: Sealed): string {
  return bytesToBase64(aead(key).encrypt(encoder.encode(JSON.stringify(sealed))))
}

/** The sealed values, or undefined when the key cannot open them. */
export function unseal(key: Uint8Array, text: string): Sealed | undefined {
  try {
    return JSON.parse(decoder.decode(aead(key).decrypt(base64ToBytes(text)))) as Sealed
  } catch {
    return undefined
  }
}

/** Puts sealed values back in place (as own data properties: a name is never a path to the prototype). */
export function restore<T extends Json | null>(value: T, section: Json | undefined): T {
  if (!value || !section) return value
  const out: Json = { ...value }
  for (const name of Object.keys(section)) Object.defineProperty(out, name, { value: section[name], enumerable: true, writable: true, configurable: true })
  return out as T
}
