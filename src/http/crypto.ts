/** Hashing and comparison for secrets that cross the edge: API keys and the operator token. */
import { createHash } from 'node:crypto'

/** SHA-256 of the text's UTF-8, as hex (synchronously, natively: every request hashes its key). */
export async function sha256Hex(text: string): Promise<string> {
  return createHash('sha256').update(text, 'utf8').digest('hex')
}

/** Constant-time equality of two secrets (compared as digests, so lengths never leak). */
export async function secretsEqual(a: string, b: string): Promise<boolean> {
  const [da, db] = await Promise.all([a, b].map((s) => crypto.subtle.digest('SHA-256', new TextEncoder().encode(s))))
  return crypto.subtle.timingSafeEqual(da!, db!)
}
