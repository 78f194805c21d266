/**
 * Hooks copy links from the record a user acts on to the records they make: a deal's contact onto
 * its stage-change Activity, a lead's organization onto its deal, a contact's organization onto its
 * captured lead. The source keeps a link to a record deleted since (a soft delete leaves links
 * alone), and copying it made the new record fail its relation check, so the user's own action
 * (moving the deal, winning it, converting the lead, a website form) failed with a 422 about another
 * noun. A copied link names a live record or nothing.
 */
export const liveLink = (records: { exists(id: string): boolean }, id: unknown): string | null => (typeof id === 'string' && records.exists(id) ? id : null)
