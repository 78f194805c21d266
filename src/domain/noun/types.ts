/**
 * The Noun DSL read at the type level, so entity types are derived from the same strings the
 * runtime parses: `Entity<'Lead', typeof LeadDefinition>` has `status?: 'New' | ... | null`.
 */
import type { Gerund, Past } from './conjugate'

export type Definition = Record<string, string | null>

type Trim<S extends string> = S extends ` ${infer R}` ? Trim<R> : S extends `${infer R} ` ? Trim<R> : S
type StripDefault<S extends string> = S extends `${infer A}=${string}` ? Trim<A> : Trim<S>
type StripList<S extends string> = S extends `${infer A}[]` ? A : S
type StripIndex<S extends string> = S extends `${infer A}##` ? A : S extends `${infer A}#` ? A : S
type Modifiers<S extends string> = StripIndex<StripList<StripDefault<S>>>
type CoreOf<S extends string> = Modifiers<S> extends `${infer A}!` ? Trim<A> : Modifiers<S> extends `${infer A}?` ? Trim<A> : Trim<Modifiers<S>>

type IsList<S extends string> = StripDefault<S> extends `${string}[]` ? true : false
export type IsRequired<S extends string> = Modifiers<S> extends `${string}!` ? true : false
type HasDefault<S extends string> = S extends `${string}=${string}` ? true : false

interface ScalarMap {
  string: string
  text: string
  url: string
  email: string
  date: string
  datetime: string
  number: number
  int: number
  boolean: boolean
  json: unknown
}

type EnumValues<C extends string> = C extends `${infer H}|${infer R}` ? Trim<H> | EnumValues<R> : Trim<C>

type CoreType<C extends string> = C extends `->${string}`
  ? string
  : C extends `${string}|${string}`
    ? EnumValues<C>
    : C extends keyof ScalarMap
      ? ScalarMap[C]
      : never

/** The value type of one stored field. */
export type FieldType<S extends string> = IsList<S> extends true ? CoreType<CoreOf<S>>[] : CoreType<CoreOf<S>>

type FirstChar<S extends string> = S extends `${infer F}${string}` ? F : never
/** A definition value that is a single PascalCase word declares a verb. */
export type IsVerb<V> = V extends string
  ? V extends `${string} ${string}` | `${string}|${string}` | `${string}-${string}`
    ? false
    : FirstChar<V> extends Uppercase<FirstChar<V>>
      ? FirstChar<V> extends Lowercase<FirstChar<V>>
        ? false
        : true
      : false
  : false

type IsReverse<V> = V extends `<-${string}` ? true : false

/** Keys of stored fields (not verbs, not reverse lists, not disabled CRUD). */
export type FieldKeys<D extends Definition> = {
  [K in keyof D & string]: D[K] extends string ? (IsVerb<D[K]> extends true ? never : IsReverse<D[K]> extends true ? never : K) : never
}[keyof D & string]

export type ReverseKeys<D extends Definition> = {
  [K in keyof D & string]: D[K] extends string ? (IsReverse<D[K]> extends true ? K : never) : never
}[keyof D & string]

type RequiredKeys<D extends Definition> = {
  [K in FieldKeys<D>]: D[K] extends string ? (IsRequired<D[K]> extends true ? K : never) : never
}[FieldKeys<D>]

type DefaultedKeys<D extends Definition> = {
  [K in FieldKeys<D>]: D[K] extends string ? (HasDefault<D[K]> extends true ? K : never) : never
}[FieldKeys<D>]

type Simplify<T> = { [K in keyof T]: T[K] } & {}

export interface Meta<N extends string> {
  $id: string
  $type: N
  $version: number
  $createdAt: string
  $updatedAt: string
  $createdBy: string
}

/** Stored fields as the API returns them: required ones present, the rest optional. */
export type Fields<D extends Definition> = Simplify<
  { [K in RequiredKeys<D>]: FieldType<D[K] & string> } & {
    [K in Exclude<FieldKeys<D>, RequiredKeys<D>>]?: FieldType<D[K] & string> | null
  }
>

export type Entity<N extends string, D extends Definition> = Simplify<Meta<N> & Fields<D>>

/** What `create` accepts: required fields without a default must be given. */
export type CreateInput<D extends Definition> = Simplify<
  { [K in Exclude<RequiredKeys<D>, DefaultedKeys<D>>]: FieldType<D[K] & string> } & {
    [K in Exclude<FieldKeys<D>, Exclude<RequiredKeys<D>, DefaultedKeys<D>>>]?: FieldType<D[K] & string> | null
  }
>

export type UpdateInput<D extends Definition> = Simplify<{ [K in FieldKeys<D>]?: FieldType<D[K] & string> | null }>

/** Custom verbs: keys whose value is a PascalCase state. */
export type CustomVerbs<D extends Definition> = {
  [K in keyof D & string]: IsVerb<D[K]> extends true ? K : never
}[keyof D & string]

type Crud<D extends Definition> = {
  [K in 'create' | 'update' | 'delete']: K extends keyof D ? (D[K] extends null ? never : K) : K
}['create' | 'update' | 'delete']

/** `restore` comes with `delete`. */
type Restore<D extends Definition> = 'delete' extends Crud<D> ? 'restore' : never

export type Verbs<D extends Definition> = CustomVerbs<D> | Crud<D> | Restore<D>
export type VerbGerund<D extends Definition> = Gerund<Verbs<D>>
export type VerbPast<D extends Definition> = Past<Verbs<D>>
