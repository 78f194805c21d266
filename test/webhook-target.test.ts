/**
 * Where outbound webhooks may go (src/domain/webhook-target.ts): public http(s) addresses only, in
 * every spelling the URL parser accepts for a private one; local development may opt out.
 */
import { describe, expect, it } from 'vitest'
import { webhookTargetErrors, webhookTargetPolicy, webhookTargetProblem } from '../src/domain/webhook-target'

const production = { allowPrivate: false }
const development = { allowPrivate: true }

describe('webhook targets in production', () => {
  it.each([
    'https://hooks.example.com/in',
    'http://hooks.example.com:8080/in?x=1',
    'http://93.184.216.34/in',
    'http://11.0.0.1/',
    'http://172.32.0.1/',
    'http://172.15.255.255/',
    'http://100.128.0.1/',
    'http://192.169.0.1/',
    'http://[2606:4700:4700::1111]/',
    'http://[::ffff:8.8.8.8]/',
    'https://localhost.example.com/',
  ])('accepts the public target %s', (url) => {
    expect(webhookTargetProblem(url, production)).toBeNull()
  })

  it.each([
    ['cloud metadata', 'http://169.254.169.254/latest/meta-data/'],
    ['link-local', 'http://169.254.1.1/'],
    ['loopback', 'http://127.0.0.1:9/hook'],
    ['loopback, anywhere in 127/8', 'http://127.255.0.9/'],
    ['loopback as one number', 'http://2130706433/'],
    ['loopback in hex', 'http://0x7f.1/'],
    ['loopback in octal', 'http://0177.0.0.1/'],
    ['loopback, short form', 'http://127.1/'],
    ['this network', 'http://0.0.0.0/'],
    ['private 10/8', 'http://10.1.2.3/'],
    ['private 172.16/12', 'http://172.16.0.1/'],
    ['private 172.16/12, top', 'http://172.31.255.255/'],
    ['private 192.168/16', 'http://192.168.1.1/'],
    ['carrier-grade NAT', 'http://100.64.0.1/'],
    ['multicast', 'http://224.0.0.1/'],
    ['broadcast', 'http://255.255.255.255/'],
    ['IPv6 loopback', 'http://[::1]/'],
    ['IPv6 unspecified', 'http://[::]/'],
    ['IPv6 unique local fc00::/7', 'http://[fc00::1]/'],
    ['IPv6 unique local fd..', 'http://[fd12:3456:789a::1]/'],
    ['IPv6 link-local', 'http://[fe80::1]/'],
    ['IPv4-mapped loopback', 'http://[::ffff:127.0.0.1]/'],
    ['IPv4-mapped loopback, hex form', 'http://[::ffff:7f00:1]/'],
    ['IPv4-mapped metadata', 'http://[::ffff:169.254.169.254]/'],
    ['IPv4-mapped private', 'http://[::ffff:10.0.0.1]/'],
    ['NAT64 of a private address', 'http://[64:ff9b::a00:1]/'],
    ['localhost', 'http://localhost:8787/hook'],
    ['localhost with a trailing dot', 'http://localhost./hook'],
    ['a *.localhost name', 'http://acme.revline.localhost/'],
    ['an mDNS name', 'http://printer.local/'],
    ['an .internal name', 'http://billing.internal/'],
    ['a single-label intranet name', 'http://intranet/'],
  ])('refuses %s (%s)', (_what, url) => {
    expect(webhookTargetProblem(url, production)).toMatch(/private|loopback|link-local/)
  })

  it('reads the URL as the parser normalizes it (the spellings above really are these hosts)', () => {
    expect(new URL('http://2130706433/').hostname).toBe('127.0.0.1')
    expect(new URL('http://0x7f.1/').hostname).toBe('127.0.0.1')
    expect(new URL('http://[::ffff:127.0.0.1]/').hostname).toBe('[::ffff:7f00:1]')
  })

  it.each(['ftp://hooks.example.com/', 'file:///etc/passwd', 'javascript:alert(1)', 'gopher://hooks.example.com/', 'ws://hooks.example.com/', 'not a url', ''])('refuses %s (not http or https)', (url) => {
    expect(webhookTargetProblem(url, production)).not.toBeNull()
    expect(webhookTargetProblem(url, development)).not.toBeNull()
  })
})

describe('webhook targets in local development', () => {
  it('accepts loopback and private targets only when the deployment says exactly "true"', () => {
    for (const url of ['http://127.0.0.1:9/hook', 'http://localhost:8787/hook', 'http://[::1]/', 'http://192.168.1.1/']) expect(webhookTargetProblem(url, development), url).toBeNull()
    expect(webhookTargetPolicy('true')).toEqual(development)
    for (const flag of [undefined, '', 'false', 'TRUE', '1', 'yes', true]) expect(webhookTargetPolicy(flag), String(flag)).toEqual(production)
  })

  it('names each refused subscription by its index', () => {
    const subscriptions = [{ url: 'https://hooks.example.com/' }, { url: 'http://127.0.0.1/' }, { url: 'http://[fe80::1]/' }]
    expect(webhookTargetErrors(subscriptions, production).map((e) => e.path)).toEqual(['webhooks.1.url', 'webhooks.2.url'])
    expect(webhookTargetErrors(subscriptions, development)).toEqual([])
  })
})
