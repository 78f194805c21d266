/**
 * Where an outbound webhook may go. A tenant's webhook URL makes the platform send requests on the
 * tenant's behalf, so in production it must be a public http(s) address: never the loopback, a
 * private or link-local network (169.254.169.254 is a cloud metadata service), or a name that only
 * means something inside one network. Local development may opt out (`allowPrivate`) to reach a
 * receiver on the developer's machine.
 *
 * Only what the URL says is judged: a public name that resolves to a private address is the
 * platform's outbound network's to refuse (Workers cannot resolve names before fetching).
 */

export interface WebhookTargetPolicy {
  /** Local development only: loopback, private and link-local targets are allowed. */
  allowPrivate: boolean
}

/** Names that never leave one host or one network (RFC 6761 localhost, RFC 6762 .local, RFC 8375 home.arpa, ICANN's .internal). */
const PRIVATE_NAME = /(^|\.)(localhost|local|internal|home\.arpa)\.?$/

/** IPv4 ranges that are not public unicast addresses: [first octets as a number, prefix length]. */
const PRIVATE_V4: readonly [string, number][] = [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
]

const v4Number = (dotted: string): number => dotted.split('.').reduce((n, part) => n * 256 + Number(part), 0)

function privateV4(address: number): boolean {
  return PRIVATE_V4.some(([base, bits]) => Math.floor(address / 2 ** (32 - bits)) === Math.floor(v4Number(base) / 2 ** (32 - bits)))
}

/** The eight 16-bit groups of an IPv6 address as the URL parser prints it (compressed, lowercase, no brackets). */
function v6Groups(text: string): number[] | undefined {
  const [head = '', tail] = text.split('::')
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((g) => Number.parseInt(g, 16)))
  const left = parse(head)
  const right = tail === undefined ? [] : parse(tail)
  const groups = tail === undefined ? left : [...left, ...new Array(8 - left.length - right.length).fill(0), ...right]
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : undefined
}

function privateV6(groups: number[]): boolean {
  const [a = 0] = groups
  const zeros = (n: number) => groups.slice(0, n).every((g) => g === 0)
  const embeddedV4 = groups[6]! * 65536 + groups[7]!
  if (zeros(8)) return true // :: unspecified
  if (zeros(7) && groups[7] === 1) return true // ::1 loopback
  if ((a & 0xfe00) === 0xfc00) return true // fc00::/7 unique local
  if ((a & 0xffc0) === 0xfe80) return true // fe80::/10 link-local
  if ((a & 0xffc0) === 0xfec0) return true // fec0::/10 site-local (deprecated)
  if ((a & 0xff00) === 0xff00) return true // multicast
  if (zeros(5) && groups[5] === 0xffff) return privateV4(embeddedV4) // ::ffff:a.b.c.d mapped
  if (zeros(6)) return privateV4(embeddedV4) // ::a.b.c.d compatible (deprecated)
  if (a === 0x64 && groups[1] === 0xff9b && groups.slice(2, 6).every((g) => g === 0)) return privateV4(embeddedV4) // 64:ff9b::/96 NAT64
  return false
}

/**
 * Why `url` may not receive webhooks under `policy`, or null when it may.
 * @example webhookTargetProblem('http://169.254.169.254/latest', { allowPrivate: false }) // 'is a private, loopback or link-local address'
 */
export function webhookTargetProblem(url: string, policy: WebhookTargetPolicy): string | null {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return 'is not a URL'
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return 'must be an http or https URL'
  if (policy.allowPrivate) return null
  const host = parsed.hostname.toLowerCase()
  if (host.startsWith('[')) {
    const groups = v6Groups(host.slice(1, -1))
    return !groups || privateV6(groups) ? 'is a private, loopback or link-local address' : null
  }
  // The URL parser has already turned every IPv4 spelling (2130706433, 0x7f.1, 127.1) into dotted decimal.
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(host)) return privateV4(v4Number(host)) ? 'is a private, loopback or link-local address' : null
  if (PRIVATE_NAME.test(host) || !host.includes('.')) return 'is a name that only resolves inside a private network'
  return null
}

/** The policy a deployment's `ALLOW_PRIVATE_WEBHOOK_TARGETS` setting asks for: private targets only when it is exactly "true". */
export const webhookTargetPolicy = (flag: unknown): WebhookTargetPolicy => ({ allowPrivate: flag === 'true' })

/** Each subscription whose URL may not receive webhooks, as a field error naming `webhooks.<i>.url`. */
export function webhookTargetErrors(subscriptions: readonly { url: string }[], policy: WebhookTargetPolicy): { path: string; message: string }[] {
  return subscriptions.flatMap((s, i) => {
    const problem = webhookTargetProblem(s.url, policy)
    return problem ? [{ path: `webhooks.${i}.url`, message: problem }] : []
  })
}
