/** Lowercase plural collection names: `pluralize('Activity')` → 'activities'. */
const IRREGULAR_PLURALS: Record<string, string> = { person: 'people', analysis: 'analyses', status: 'statuses' }

export function pluralize(noun: string): string {
  const word = noun.toLowerCase()
  if (IRREGULAR_PLURALS[word]) return IRREGULAR_PLURALS[word]
  if (/[^aeiou]y$/.test(word)) return `${word.slice(0, -1)}ies`
  if (/(s|x|z|ch|sh)$/.test(word)) return `${word}es`
  return `${word}s`
}
