/** The engine's storage port over the tenant's SQLite tables (synchronous, inside the DO). */
import { and, eq, isNull } from 'drizzle-orm'
import type { Condition } from '../domain/query/filter'
import type { SortKey } from '../domain/query/list-query'
import type { DrizzleSqliteDODatabase } from 'drizzle-orm/durable-sqlite'
import type { EntityRecord, NewEvent, Store } from '../domain/engine/types'
import type { NounSchema } from '../domain/noun/noun'
import { appendEvent } from './event-log'
import { column, compileCondition, listFields, orderBy } from './query/compile'
import type { EntityTable } from './schema/entity-table'
import * as schema from './schema'

export type Db = DrizzleSqliteDODatabase<typeof schema>

/** Row ↔ entity: the API omits unset fields, and `$deletedAt` only appears on retired entities. */
export function toEntity(noun: NounSchema, row: Record<string, unknown>): EntityRecord {
  const entity: Record<string, unknown> = { $id: row.$id, $type: noun.name }
  for (const [key, value] of Object.entries(row)) if (value !== null && value !== undefined) entity[key] = value
  return entity as EntityRecord
}

function toRow(noun: NounSchema, entity: EntityRecord): Record<string, unknown> {
  const row: Record<string, unknown> = {
    $id: entity.$id,
    $version: entity.$version,
    $createdAt: entity.$createdAt,
    $updatedAt: entity.$updatedAt,
    $createdBy: entity.$createdBy,
    $deletedAt: entity.$deletedAt ?? null,
  }
  for (const field of Object.keys(noun.fields)) row[field] = entity[field] ?? null
  return row
}

export class EntityStore implements Store {
  constructor(
    readonly db: Db,
    private readonly tables: ReadonlyMap<string, EntityTable>,
  ) {}

  table(noun: NounSchema): EntityTable {
    const table = this.tables.get(noun.name)
    if (!table) throw new Error(`no table for ${noun.name}`)
    return table
  }

  get(noun: NounSchema, id: string): EntityRecord | undefined {
    const table = this.table(noun)
    const row = this.db
      .select()
      .from(table)
      .where(and(eq(column(table, '$id'), id), isNull(column(table, '$deletedAt'))))
      .get()
    return row ? toEntity(noun, row) : undefined
  }

  insert(noun: NounSchema, entity: EntityRecord): void {
    this.db.insert(this.table(noun)).values(toRow(noun, entity)).run()
  }

  update(noun: NounSchema, entity: EntityRecord): void {
    const table = this.table(noun)
    const { $id, ...row } = toRow(noun, entity)
    this.db.update(table).set(row).where(eq(column(table, '$id'), $id)).run()
  }

  exists(noun: NounSchema, id: string): boolean {
    const table = this.table(noun)
    const id$ = column(table, '$id')
    return this.db.select({ id: id$ }).from(table).where(and(eq(id$, id), isNull(column(table, '$deletedAt')))).get() !== undefined
  }

  findIdBy(noun: NounSchema, field: string, value: unknown): string | undefined {
    const table = this.table(noun)
    const id$ = column(table, '$id')
    const row = this.db.select({ id: id$ }).from(table).where(and(eq(column(table, field), value), isNull(column(table, '$deletedAt')))).get()
    return row?.id as string | undefined
  }

  find(noun: NounSchema, where: Condition, options: { sort?: SortKey[]; limit: number }): EntityRecord[] {
    const table = this.table(noun)
    const sort = options.sort?.length ? options.sort : [{ field: '$createdAt', dir: 'asc' as const }]
    return this.db
      .select()
      .from(table)
      .where(and(isNull(column(table, '$deletedAt')), compileCondition(table, where, listFields(noun))))
      .orderBy(...orderBy(table, sort))
      .limit(options.limit)
      .all()
      .map((row) => toEntity(noun, row))
  }

  appendEvent(event: NewEvent) {
    return appendEvent(this.db, event)
  }
}
