/**
 * List requests: `?status=Qualified&score[$gte]=80&sort=-score&limit=25&cursor=…`.
 * Parsed against the noun into a ListQuery; unknown fields, operators and parameters are 400s.
 * `?owner=me` (any relation to Contact) is kept as `me` for the tenant object to resolve (./me.ts).
 */
import { AppError, type FieldError } from '../errors'
import { parseJsonText } from '../json-text'
import type { NounSchema } from '../noun/noun'
import type { NounRegistry } from '../noun/registry'
import { own, ownRecord } from '../own'
import { fieldOf, parseFilter, type Condition } from './filter'

export interface SortKey {
  field: string
  dir: 'asc' | 'desc'
}

export interface ListQuery {
  where: Condition
  sort: SortKey[]
  limit: number
  cursor?: string
  page?: number
}

export const DEFAULT_LIMIT = 25
export const MAX_LIMIT = 200
const MAX_SORT_KEYS = 3
/** Parameters with a meaning of their own; every other parameter names a field. */
export const RESERVED_PARAMS = new Set(['filter', 'sort', 'limit', 'cursor', 'page', 'include', 'dateFrom', 'dateTo'])

const FIELD_PARAM = /^([$A-Za-z][A-Za-z0-9]*(?:\.[$A-Za-z][A-Za-z0-9]*)?)(?:\[(\$[a-z]+)\])?$/

export const DEFAULT_SORT: SortKey[] = [{ field: '$createdAt', dir: 'asc' }]

export function parseListQuery(noun: NounSchema, params: URLSearchParams, nouns: NounRegistry): ListQuery {
  const errors: FieldError[] = []
  // Keys come from the request: no prototype for `constructor[$eq]=x` to reach.
  const fromParams = ownRecord<Record<string, unknown>>()
  for (const key of new Set(params.keys())) {
    if (RESERVED_PARAMS.has(key)) continue
    const match = FIELD_PARAM.exec(key)
    if (!match) {
      errors.push({ path: key, message: 'is not a field filter (use field=value or field[$op]=value)' })
      continue
    }
    const [, name, op = '$eq'] = match
    const field = own(noun.aliases, name!) ?? name
    const values = params.getAll(key)
    // `?status=New&status=Lost` means either.
    const value = values.length > 1 && op === '$eq' ? values.join(',') : values[0]
    const operator = values.length > 1 && op === '$eq' ? '$in' : op
    ;(fromParams[field!] ??= ownRecord())[operator] = value
  }

  const parts: Condition[] = []
  try {
    parts.push(parseFilter(noun, fromParams, nouns, 'query', { me: true }))
  } catch (error) {
    if (error instanceof AppError && error.errors) errors.push(...error.errors)
    else throw error
  }
  const filterParam = params.get('filter')
  if (filterParam !== null) {
    let json: unknown
    try {
      json = parseJsonText(filterParam, { what: 'the filter', path: 'filter', code: 'invalid_query' })
    } catch (error) {
      if (error instanceof AppError && error.errors) errors.push(...error.errors)
      else throw error
    }
    if (json !== undefined) {
      try {
        parts.push(parseFilter(noun, json, nouns, 'json', { me: true }))
      } catch (error) {
        if (error instanceof AppError && error.errors) errors.push(...error.errors.map((e) => ({ ...e, path: `filter.${e.path}` })))
        else throw error
      }
    }
  }

  // dateFrom / dateTo (YYYY-MM-DD or ISO): creation date range, both days included.
  for (const [param, op] of [['dateFrom', '$gte'], ['dateTo', '$lt']] as const) {
    const value = params.get(param)
    if (value === null) continue
    const ms = Date.parse(value)
    if (Number.isNaN(ms)) {
      errors.push({ path: param, message: 'must be a date (YYYY-MM-DD or ISO)' })
      continue
    }
    const bound = op === '$lt' && /^\d{4}-\d{2}-\d{2}$/.test(value) ? ms + 86_400_000 : ms
    parts.push({ field: '$createdAt', op, value: new Date(bound).toISOString() })
  }
  const sort = parseSort(noun, params.get('sort'), errors)
  const limit = parseIntParam(params.get('limit'), 'limit', 1, MAX_LIMIT, errors) ?? DEFAULT_LIMIT
  const page = parseIntParam(params.get('page'), 'page', 1, 1_000_000, errors)
  const cursor = params.get('cursor') ?? undefined
  if (page !== undefined && cursor !== undefined) errors.push({ path: 'page', message: 'use either page or cursor' })
  if (errors.length > 0) throw new AppError('invalid_query', 'the query is not valid', errors)
  return { where: { and: parts }, sort, limit, ...(cursor !== undefined ? { cursor } : {}), ...(page !== undefined ? { page } : {}) }
}

export function parseSort(noun: NounSchema, value: string | null | undefined, errors: FieldError[]): SortKey[] {
  if (!value) return DEFAULT_SORT
  const keys: SortKey[] = []
  for (const part of value.split(',')) {
    const token = part.trim()
    const desc = token.startsWith('-')
    const name = desc ? token.slice(1) : token.replace(/^\+/, '')
    const field = fieldOf(noun, name)
    if (!field) errors.push({ path: 'sort', message: `'${name}' is not a field of ${noun.name}` })
    else if (field.list || (field.kind === 'scalar' && field.type === 'json')) errors.push({ path: 'sort', message: `cannot sort on '${name}'` })
    else keys.push({ field: name, dir: desc ? 'desc' : 'asc' })
  }
  if (keys.length > MAX_SORT_KEYS) errors.push({ path: 'sort', message: `at most ${MAX_SORT_KEYS} sort keys` })
  return keys
}

function parseIntParam(value: string | null, name: string, min: number, max: number, errors: FieldError[]): number | undefined {
  if (value === null) return undefined
  const n = Number(value)
  if (!/^\d+$/.test(value) || n < min || n > max) {
    errors.push({ path: name, message: `must be a whole number from ${min} to ${max}` })
    return undefined
  }
  return n
}
