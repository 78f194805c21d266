/**
 * The moves the dashboard offers on a lead, read from the Lead noun so they follow its schema:
 * open statuses by update (the status machine), Converted and Lost by the verbs that set them.
 */
import { Lead } from '../domain/nouns'

const lead = Lead.schema
const statusField = lead.fields.status as { values: readonly string[] }

export const LEAD_STATUSES = statusField.values

/** The custom verb that moves a lead into `status` (convert → Converted, lose → Lost), if any. */
export const verbInto = (status: string) =>
  Object.values(lead.verbs).find((v) => v.kind === 'custom' && v.state === status && statusField.values.includes(status))

/** What the inline control may move a lead from `status` to. */
export const NEXT_STATUSES: Readonly<Record<string, readonly string[]>> = Object.fromEntries(
  LEAD_STATUSES.map((from) => [
    from,
    [
      ...(lead.machines.status?.[from] ?? []),
      // A lost lead is reopened (New) before it is worked again: convert's hook refuses it.
      ...(from === 'Lost' ? [] : LEAD_STATUSES.filter((to) => verbInto(to)?.from?.includes(from))),
    ],
  ]),
)
