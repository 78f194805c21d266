/**
 * Verb conjugation for event names and hook names: `conjugate('win')` → `{ gerund: 'winning', past: 'won' }`.
 * Irregular forms come from a table (typed `as const` so the type level can read it too);
 * regular forms follow English spelling rules.
 */
export const IRREGULAR_VERBS = {
  win: { gerund: 'winning', past: 'won' },
  lose: { gerund: 'losing', past: 'lost' },
  pay: { gerund: 'paying', past: 'paid' },
  send: { gerund: 'sending', past: 'sent' },
  read: { gerund: 'reading', past: 'read' },
  cancel: { gerund: 'cancelling', past: 'cancelled' },
  buy: { gerund: 'buying', past: 'bought' },
  sell: { gerund: 'selling', past: 'sold' },
  sign: { gerund: 'signing', past: 'signed' },
  get: { gerund: 'getting', past: 'got' },
  set: { gerund: 'setting', past: 'set' },
  put: { gerund: 'putting', past: 'put' },
  run: { gerund: 'running', past: 'ran' },
  begin: { gerund: 'beginning', past: 'begun' },
  write: { gerund: 'writing', past: 'written' },
  make: { gerund: 'making', past: 'made' },
  take: { gerund: 'taking', past: 'taken' },
  give: { gerund: 'giving', past: 'given' },
  hold: { gerund: 'holding', past: 'held' },
  find: { gerund: 'finding', past: 'found' },
  bring: { gerund: 'bringing', past: 'brought' },
  keep: { gerund: 'keeping', past: 'kept' },
  meet: { gerund: 'meeting', past: 'met' },
  lead: { gerund: 'leading', past: 'led' },
  leave: { gerund: 'leaving', past: 'left' },
  split: { gerund: 'splitting', past: 'split' },
  quit: { gerund: 'quitting', past: 'quit' },
  shut: { gerund: 'shutting', past: 'shut' },
  stop: { gerund: 'stopping', past: 'stopped' },
  plan: { gerund: 'planning', past: 'planned' },
  ship: { gerund: 'shipping', past: 'shipped' },
  drop: { gerund: 'dropping', past: 'dropped' },
  tag: { gerund: 'tagging', past: 'tagged' },
  log: { gerund: 'logging', past: 'logged' },
  submit: { gerund: 'submitting', past: 'submitted' },
  commit: { gerund: 'committing', past: 'committed' },
  admit: { gerund: 'admitting', past: 'admitted' },
  permit: { gerund: 'permitting', past: 'permitted' },
  refer: { gerund: 'referring', past: 'referred' },
  prefer: { gerund: 'preferring', past: 'preferred' },
  transfer: { gerund: 'transferring', past: 'transferred' },
  label: { gerund: 'labelling', past: 'labelled' },
  refund: { gerund: 'refunding', past: 'refunded' },
} as const

type Irregular = typeof IRREGULAR_VERBS
type Vowel = 'a' | 'e' | 'i' | 'o' | 'u'

/** Type-level gerund: `Gerund<'qualify'>` = 'qualifying'. */
export type Gerund<V extends string> = V extends keyof Irregular
  ? Irregular[V]['gerund']
  : V extends `${infer Stem}ie`
    ? `${Stem}ying`
    : V extends `${infer Stem}ee`
      ? `${Stem}eeing`
      : V extends `${infer Stem}e`
        ? `${Stem}ing`
        : `${V}ing`

/** Type-level past tense: `Past<'win'>` = 'won', `Past<'qualify'>` = 'qualified'. */
export type Past<V extends string> = V extends keyof Irregular
  ? Irregular[V]['past']
  : V extends `${string}e`
    ? `${V}d`
    : V extends `${string}${Vowel}y`
      ? `${V}ed`
      : V extends `${infer Stem}y`
        ? `${Stem}ied`
        : `${V}ed`

export interface Conjugation {
  verb: string
  gerund: string
  past: string
}

const isVowel = (ch: string | undefined) => ch !== undefined && 'aeiou'.includes(ch)

export function conjugate(verb: string): Conjugation {
  const irregular = (IRREGULAR_VERBS as Record<string, { gerund: string; past: string }>)[verb]
  if (irregular) return { verb, ...irregular }
  let gerund: string
  if (verb.endsWith('ie')) gerund = `${verb.slice(0, -2)}ying`
  else if (verb.endsWith('ee')) gerund = `${verb}ing`
  else if (verb.endsWith('e')) gerund = `${verb.slice(0, -1)}ing`
  else gerund = `${verb}ing`
  let past: string
  if (verb.endsWith('e')) past = `${verb}d`
  else if (verb.endsWith('y') && !isVowel(verb.at(-2))) past = `${verb.slice(0, -1)}ied`
  else past = `${verb}ed`
  return { verb, gerund, past }
}
