/** Contacts (seed 002): email normalisation, qualification rules, and the capture / merge / enrich verbs. */
import { AppError } from '../errors'
import { Contact } from '../nouns'
import { checkCustomFields } from './capture-custom'
import { captureContact, checkSubmission, recordCapture } from './contact-capture'
import { enrichContact } from './contact-enrich'
import { mergeContacts } from './contact-merge'
import { implement } from '../noun/noun'

/** Emails are stored lowercase, so "Alice@Acme.dev" and "alice@acme.dev" are one contact. */
const lowercaseEmail = (_entity: unknown, input: Record<string, unknown>) =>
  typeof input.email === 'string' && input.email !== input.email.toLowerCase() ? { ...input, email: input.email.trim().toLowerCase() } : undefined
Contact.creating(lowercaseEmail)
Contact.updating(lowercaseEmail)

/** Seed 002's qualification prerequisites. */
Contact.qualifying((contact) => {
  if (!contact.email) throw new AppError('rejected', 'Email required for qualification', [{ path: 'email', message: 'is required to qualify' }])
  if (typeof contact.leadScore === 'number' && contact.leadScore < 40) throw new AppError('rejected', 'Lead score too low', [{ path: 'leadScore', message: 'must be at least 40 to qualify' }])
})

implement(Contact, 'capture', captureContact)
Contact.capturing(checkSubmission)
Contact.capturing(checkCustomFields)
Contact.captured(recordCapture)
implement(Contact, 'merge', mergeContacts)
implement(Contact, 'enrich', enrichContact)
