import { describe, expect, expectTypeOf, it } from 'vitest'
import { conjugate } from '../src/domain/noun/conjugate'
import { GrammarError, parseField } from '../src/domain/noun/grammar'
import { Noun } from '../src/domain/noun/noun'
import { pluralize } from '../src/domain/noun/plural'
import { createValidator, updateValidator } from '../src/domain/noun/validators'
import { Contact } from '../src/domain/nouns'

describe('Noun DSL grammar', () => {
  it('reads required, optional, indexed, unique, list and default modifiers', () => {
    expect(parseField('name', 'string!')).toMatchObject({ kind: 'scalar', type: 'string', required: true, index: 'none', list: false })
    expect(parseField('email', 'string##')).toMatchObject({ required: false, index: 'unique' })
    expect(parseField('score', 'number#')).toMatchObject({ type: 'number', index: 'index' })
    expect(parseField('tags', 'string[]')).toMatchObject({ type: 'string', list: true })
    expect(parseField('n', 'int! = 3')).toMatchObject({ type: 'int', required: true, default: 3 })
    expect(parseField('on', 'boolean = false')).toMatchObject({ default: false })
    expect(parseField('title', 'string? = "Mr"')).toMatchObject({ required: false, default: 'Mr' })
    expect(parseField('ids', 'string!#[]')).toMatchObject({ required: true, index: 'index', list: true })
  })

  it('reads enums with defaults', () => {
    expect(parseField('status', 'New | Contacted | Lost = New')).toMatchObject({ kind: 'enum', values: ['New', 'Contacted', 'Lost'], default: 'New' })
  })

  it('reads relations with and without back-references, and reverse lists', () => {
    expect(parseField('contact', '-> Contact.leads')).toMatchObject({ kind: 'relation', target: 'Contact', backref: 'leads' })
    expect(parseField('owner', '-> Contact')).toMatchObject({ kind: 'relation', target: 'Contact' })
    expect(parseField('owner', '-> Contact')).not.toHaveProperty('backref')
    expect(parseField('leads', '<- Lead.contact[]')).toEqual({ kind: 'reverse', name: 'leads', target: 'Lead', via: 'contact' })
  })

  it('refuses what it does not understand', () => {
    expect(() => parseField('x', 'strnig')).toThrow(GrammarError)
    expect(() => parseField('x', 'New | = Old')).toThrow(GrammarError)
    expect(() => parseField('x', 'A | B = C')).toThrow(/not one of the enum values/)
    expect(() => parseField('x', 'int = 1.5')).toThrow(GrammarError)
    expect(() => parseField('x', '-> lowercase')).toThrow(GrammarError)
  })
})

describe('Noun()', () => {
  const Ticket = Noun(
    'Ticket',
    {
      subject: 'string!',
      status: 'Open | Solved | Closed = Open',
      priority: 'Low | High',
      solvedAt: 'datetime',
      assignee: '-> Contact',
      solve: 'Solved',
      close: 'Closed',
      delete: null,
    },
    { machines: { status: { Open: ['Solved', 'Closed'], Solved: ['Closed', 'Open'] } } },
  )

  it('declares verbs from PascalCase values and binds them to the enum holding the state', () => {
    expect(Ticket.schema.verbs.solve).toMatchObject({ kind: 'custom', state: 'Solved', stateField: 'status', timestampField: 'solvedAt', gerund: 'solving', past: 'solved' })
    expect(Ticket.schema.verbs.close).toMatchObject({ state: 'Closed', stateField: 'status' })
    expect(Ticket.schema.verbs.close).not.toHaveProperty('timestampField')
  })

  it('keeps create and update but drops a CRUD verb set to null', () => {
    expect(Object.keys(Ticket.schema.verbs).sort()).toEqual(['close', 'create', 'solve', 'update'])
  })

  it('names the collection with the lowercase plural', () => {
    expect(Ticket.schema.plural).toBe('tickets')
    expect(pluralize('Activity')).toBe('activities')
    expect(pluralize('Opportunity')).toBe('opportunities')
    expect(pluralize('Address')).toBe('addresses')
    expect(pluralize('Day')).toBe('days')
  })

  it('exposes hook registration under the gerund and past tense', () => {
    expect(typeof Ticket.solving).toBe('function')
    expect(typeof Ticket.solved).toBe('function')
    expect(typeof Ticket.created).toBe('function')
    expect((Ticket as Record<string, unknown>).deleted).toBeUndefined()
  })

  it('rejects machines that name unknown states and reserved field names', () => {
    expect(() => Noun('Bad', { status: 'A | B' }, { machines: { status: { A: ['C'] } } })).toThrow(/unknown state 'C'/)
    expect(() => Noun('Bad', { createdAt: 'datetime' })).toThrow(GrammarError)
    expect(() => Noun('bad', { name: 'string' })).toThrow(/PascalCase/)
  })

  it('takes composite indexes over stored single-value fields only', () => {
    const Board = Noun('Board', { team: 'string#', rank: 'number', tags: 'string[]', items: '<- Ticket.board[]' }, { indexes: [['team', 'rank']] })
    expect(Board.schema.indexes).toEqual([['team', 'rank']])
    expect(() => Noun('Bad', { a: 'string', b: 'string' }, { indexes: [['a']] })).toThrow(/at least two fields/)
    expect(() => Noun('Bad', { a: 'string', tags: 'string[]' }, { indexes: [['a', 'tags']] })).toThrow(/not a stored single-value field/)
    // @ts-expect-error: 'nope' is not a field of the noun
    expect(() => Noun('Bad', { a: 'string', b: 'string' }, { indexes: [['a', 'nope']] })).toThrow(GrammarError)
  })

  it('derives entity and input types from the same strings', () => {
    type T = typeof Ticket.$entity
    expectTypeOf<T['subject']>().toEqualTypeOf<string>()
    expectTypeOf<T['status']>().toEqualTypeOf<'Open' | 'Solved' | 'Closed' | null | undefined>()
    expectTypeOf<T['$type']>().toEqualTypeOf<'Ticket'>()
    expectTypeOf<typeof Ticket.$verbs>().toEqualTypeOf<'solve' | 'close' | 'create' | 'update'>()
    type C = typeof Contact.$entity
    expectTypeOf<C['stage']>().toEqualTypeOf<'Lead' | 'Qualified' | 'Customer' | 'Churned' | 'Partner' | null | undefined>()
    expectTypeOf<C['leadScore']>().toEqualTypeOf<number | null | undefined>()
    expectTypeOf<typeof Contact.$create>().toHaveProperty('name').toEqualTypeOf<string>()
  })
})

describe('verb conjugation', () => {
  it.each([
    ['qualify', 'qualifying', 'qualified'],
    ['convert', 'converting', 'converted'],
    ['create', 'creating', 'created'],
    ['win', 'winning', 'won'],
    ['lose', 'losing', 'lost'],
    ['pay', 'paying', 'paid'],
    ['send', 'sending', 'sent'],
    ['cancel', 'cancelling', 'cancelled'],
    ['capture', 'capturing', 'captured'],
    ['merge', 'merging', 'merged'],
    ['enrich', 'enriching', 'enriched'],
    ['reopen', 'reopening', 'reopened'],
    ['play', 'playing', 'played'],
    ['stop', 'stopping', 'stopped'],
  ])('%s → %s / %s', (verb, gerund, past) => {
    expect(conjugate(verb)).toEqual({ verb, gerund, past })
  })
})

describe('validators derived from a noun', () => {
  it('requires required fields on create and refuses unknown fields', () => {
    const result = createValidator(Contact.schema).safeParse({ email: 'a@b.c', colour: 'red' })
    expect(result.success).toBe(false)
    const paths = result.error!.issues.map((i) => i.path.join('.') || ('keys' in i ? i.keys.join() : ''))
    expect(paths).toEqual(expect.arrayContaining(['name', 'colour']))
  })

  it('checks enums, relation id shapes and date-times, and normalises date-times to UTC', () => {
    const schema = createValidator(Contact.schema)
    expect(schema.safeParse({ name: 'A', stage: 'Prospect' }).success).toBe(false)
    expect(schema.safeParse({ name: 'A', organization: 'contact_abcdefghi' }).success).toBe(false)
    expect(schema.safeParse({ name: 'A', organization: 'organization_abcdefghi' }).success).toBe(true)
    expect(schema.parse({ name: 'A', lastEngagement: '2026-01-02T03:04:05+02:00' })).toMatchObject({ lastEngagement: '2026-01-02T01:04:05.000Z' })
  })

  it('lets update set optional fields to null but never a required one', () => {
    const schema = updateValidator(Contact.schema)
    expect(schema.safeParse({ phone: null }).success).toBe(true)
    expect(schema.safeParse({ name: null }).success).toBe(false)
  })
})
