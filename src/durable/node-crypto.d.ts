/** The slice of `node:crypto` the tenant object uses (workerd provides it under `nodejs_compat`; no @types/node in the Worker's types). */
declare module 'node:crypto' {
  interface Hash {
    update(data: Uint8Array): Hash
    digest(): Uint8Array
  }
  export function createHash(algorithm: 'sha256'): Hash
}
