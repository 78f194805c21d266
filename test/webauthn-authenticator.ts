/**
 * A software passkey for tests: an ES256 key pair made with WebCrypto, and the browser's answers to
 * registration (attestation "none") and sign-in (an assertion) built by hand, byte for byte as the
 * WebAuthn spec lays them out, with the CBOR encoder @simplewebauthn/server itself uses. What it
 * answers is what `startRegistration()` / `startAuthentication()` of @simplewebauthn/browser send.
 */
import { isoBase64URL, isoCBOR, isoUint8Array } from '@simplewebauthn/server/helpers'

const FLAG_UP = 0x01
const FLAG_UV = 0x04
const FLAG_AT = 0x40

type Bytes = Uint8Array<ArrayBuffer>
type Cbor = Parameters<typeof isoCBOR.encode>[0]
const bytes = (data: ArrayBuffer | Uint8Array): Bytes => new Uint8Array(data instanceof Uint8Array ? data : new Uint8Array(data))
const sha256 = async (data: Uint8Array) => bytes(await crypto.subtle.digest('SHA-256', data))
const b64url = (data: Uint8Array) => isoBase64URL.fromBuffer(bytes(data))
const text = (value: string) => bytes(new TextEncoder().encode(value))

function uint32(n: number): Bytes {
  const out = new Uint8Array(4)
  new DataView(out.buffer).setUint32(0, n)
  return out
}

/** WebCrypto signs ECDSA as r‖s; WebAuthn carries the ASN.1 DER form. */
function derSignature(raw: Uint8Array): Bytes {
  const integer = (part: Uint8Array) => {
    let i = 0
    while (i < part.length - 1 && part[i] === 0) i++
    let body = part.slice(i)
    if (body[0]! & 0x80) body = bytes(isoUint8Array.concat([new Uint8Array([0]), body]))
    return bytes(isoUint8Array.concat([new Uint8Array([0x02, body.length]), body]))
  }
  const r = integer(raw.slice(0, 32))
  const s = integer(raw.slice(32))
  return bytes(isoUint8Array.concat([new Uint8Array([0x30, r.length + s.length]), r, s]))
}

export interface Ceremony {
  /** The options the server answered (only what an authenticator reads of them). */
  options: { challenge: string; rp?: { id?: string }; rpId?: string; user?: { id: string } }
  /** The page's origin, as the browser would write it into the client data. */
  origin: string
}

export class SoftwareAuthenticator {
  /** The signature counter the next answer carries (each answer moves it on by one unless told otherwise). */
  counter = 0
  /** The user handle registration stored with the credential, base64url. */
  userHandle: string | undefined

  private constructor(
    readonly credentialId: Bytes,
    private readonly keys: CryptoKeyPair,
  ) {}

  static async create(): Promise<SoftwareAuthenticator> {
    const keys = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])) as CryptoKeyPair
    return new SoftwareAuthenticator(crypto.getRandomValues(new Uint8Array(16)), keys)
  }

  get id(): string {
    return b64url(this.credentialId)
  }

  /** The COSE_Key of the public key: kty EC2, alg ES256, crv P-256, x, y. */
  private async coseKey(): Promise<Bytes> {
    const jwk = (await crypto.subtle.exportKey('jwk', this.keys.publicKey)) as JsonWebKey
    const key: Cbor = new Map<number, Cbor>([
      [1, 2],
      [3, -7],
      [-1, 1],
      [-2, isoBase64URL.toBuffer(jwk.x!)],
      [-3, isoBase64URL.toBuffer(jwk.y!)],
    ])
    return bytes(isoCBOR.encode(key))
  }

  private clientData(type: 'webauthn.create' | 'webauthn.get', { options, origin }: Ceremony, challenge = options.challenge): Bytes {
    return text(JSON.stringify({ type, challenge, origin, crossOrigin: false }))
  }

  /** The answer `startRegistration()` gives: attestation "none", user present and verified. */
  async register(ceremony: Ceremony, overrides: { challenge?: string; rpId?: string; flags?: number } = {}) {
    const rpId = overrides.rpId ?? ceremony.options.rp?.id ?? new URL(ceremony.origin).hostname
    this.userHandle = ceremony.options.user?.id
    const credentialLength = new Uint8Array([this.credentialId.length >> 8, this.credentialId.length & 0xff])
    const authData = isoUint8Array.concat([
      await sha256(text(rpId)),
      new Uint8Array([overrides.flags ?? FLAG_UP | FLAG_UV | FLAG_AT]),
      uint32(this.counter++),
      new Uint8Array(16), // AAGUID: none
      credentialLength,
      this.credentialId,
      await this.coseKey(),
    ])
    const attestation = isoCBOR.encode(
      new Map<string, Cbor>([
        ['fmt', 'none'],
        ['attStmt', new Map<string, Cbor>()],
        ['authData', authData],
      ]),
    )
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key' as const,
      response: { clientDataJSON: b64url(this.clientData('webauthn.create', ceremony, overrides.challenge)), attestationObject: b64url(bytes(attestation)), transports: ['internal'] },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform' as const,
    }
  }

  /** The answer `startAuthentication()` gives: an assertion over the authenticator data and the client data's hash. */
  async assert(ceremony: Ceremony, overrides: { counter?: number; challenge?: string; rpId?: string; userHandle?: string | null; flags?: number } = {}) {
    const rpId = overrides.rpId ?? ceremony.options.rpId ?? new URL(ceremony.origin).hostname
    const counter = overrides.counter ?? this.counter++
    const authData = bytes(isoUint8Array.concat([await sha256(text(rpId)), new Uint8Array([overrides.flags ?? FLAG_UP | FLAG_UV]), uint32(counter)]))
    const clientData = this.clientData('webauthn.get', ceremony, overrides.challenge)
    const signed = isoUint8Array.concat([authData, await sha256(clientData)])
    const raw = bytes(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, this.keys.privateKey, signed))
    const userHandle = overrides.userHandle === null ? undefined : (overrides.userHandle ?? this.userHandle)
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key' as const,
      response: { clientDataJSON: b64url(clientData), authenticatorData: b64url(authData), signature: b64url(derSignature(raw)), ...(userHandle ? { userHandle } : {}) },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform' as const,
    }
  }
}
