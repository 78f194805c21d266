/** The domain's public face: nouns with their hooks registered. Import this, not the nouns alone. */
import './hooks'

export { NOUNS, nouns, type NounName } from './nouns'
