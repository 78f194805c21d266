/**
 * Every import arrow in src/ points down (DESIGN.md "Every arrow points down"; docs/ARCHITECTURE.md).
 * Runs in Node (the `structure` vitest project): it reads the sources with the TypeScript parser.
 *
 * Type-only imports count as arrows too: a type that names an upper module ties the lower one to it
 * just as a value does (the 30-file circle through nouns → hooks → engine was all type arrows but one).
 */
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { cycles, importGraph } from './import-graph'

const root = path.resolve(import.meta.dirname, '../..')
const { arrows, packages } = importGraph(root, 'src')

/**
 * The layers, lowest first. A file may import files of its own layer and of lower ranks only; two
 * layers of one rank (queues and mcp) may not import each other. A file listed by name wins over its folder.
 */
const LAYERS: { name: string; rank: number; paths: string[] }[] = [
  // Pure rules: nouns, the verb engine, validators, queries, scoring. Given its nouns, clock and ids.
  { name: 'domain', rank: 0, paths: ['src/domain/'] },
  // The tenant and registry Durable Objects: storage, the event log, operations, background job runs.
  { name: 'durable', rank: 1, paths: ['src/durable/'] },
  // Queue consumers and crons: they move job messages to tenant objects.
  { name: 'queues', rank: 2, paths: ['src/queues/'] },
  // The MCP tools: a face of the tenant object beside HTTP, served by an HTTP route.
  { name: 'mcp', rank: 2, paths: ['src/mcp/'] },
  // Hono routes and the edge's tenant client: parse, call the tenant object, shape the answer.
  { name: 'http', rank: 3, paths: ['src/http/'] },
  // Server-rendered pages; they use the edge's tenant middleware, sessions and body parsing.
  { name: 'dashboard', rank: 4, paths: ['src/dashboard/'] },
  // Composition roots: the Worker's entry and the Hono app that mounts the API, MCP and dashboard.
  { name: 'entry', rank: 5, paths: ['src/worker.ts', 'src/http/app.ts'] },
]

/** Packages a layer must not import (STYLE.md: src/domain imports nothing from Hono, Cloudflare or drizzle). */
const FORBIDDEN_PACKAGES: Record<string, RegExp> = {
  domain: /^(hono|drizzle-orm|cloudflare:|agents|@modelcontextprotocol\/)/,
  durable: /^(hono|agents|@modelcontextprotocol\/)/,
  queues: /^(hono|drizzle-orm|agents|@modelcontextprotocol\/)/,
  mcp: /^(hono|drizzle-orm|agents)/,
}

function layerOf(file: string) {
  const exact = LAYERS.find((layer) => layer.paths.includes(file))
  const layer = exact ?? LAYERS.find((candidate) => candidate.paths.some((prefix) => prefix.endsWith('/') && file.startsWith(prefix)))
  if (!layer) throw new Error(`${file} is in no layer: add its folder to LAYERS`)
  return layer
}

describe('The import graph of src/', () => {
  it('is read (a sanity check that the parser found the sources)', () => {
    expect(arrows.length).toBeGreaterThan(300)
    expect(arrows).toContainEqual({ from: 'src/worker.ts', to: 'src/http/app.ts', typeOnly: false })
  })

  it('has no import cycle, counting type-only imports', () => {
    expect(cycles(arrows)).toEqual([])
  })

  it('has no arrow pointing up or sideways between layers', () => {
    const upward = arrows
      .filter(({ from, to }) => {
        const [a, b] = [layerOf(from), layerOf(to)]
        return a.name !== b.name && b.rank >= a.rank
      })
      .map(({ from, to }) => `${from} (${layerOf(from).name}) → ${to} (${layerOf(to).name})`)
    expect(upward).toEqual([])
  })

  it('keeps each layer off the packages of the layers above it', () => {
    const forbidden = packages
      .filter(({ from, specifier }) => FORBIDDEN_PACKAGES[layerOf(from).name]?.test(specifier))
      .map(({ from, specifier }) => `${from} → ${specifier}`)
    expect(forbidden).toEqual([])
  })

  it('gives the verb engine its nouns through its context, never the concrete nouns', () => {
    const engine = ['src/domain/engine/', 'src/domain/noun/', 'src/domain/query/']
    const concrete = ['src/domain/index.ts', 'src/domain/nouns/', 'src/domain/hooks/']
    const engineToNouns = arrows.filter(({ from, to }) => engine.some((prefix) => from.startsWith(prefix)) && concrete.some((prefix) => to.startsWith(prefix)))
    expect(engineToNouns.map(({ from, to }) => `${from} → ${to}`)).toEqual([])
  })
})
