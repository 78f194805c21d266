/**
 * Every queue message, as a zod discriminated union. Each type has one handler file in
 * src/queues/handlers; every handler is safe to run twice (effects are keyed in the tenant object).
 * Here, beside the job runners, so the tenant object and the queue consumers both import it downward.
 */
import { z } from 'zod'

const tenant = z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/)

export const JobMessage = z.discriminatedUnion('type', [
  /** leadNurtureFollowUp: a deal entered a stage with autoNurture. Keyed by the entry event. */
  z.object({ type: z.literal('nurture'), tenant, event: z.string(), deal: z.string(), stage: z.string() }),
  /** leadFollowUpReminder for one tenant and one day (chunked with `cursor`). */
  z.object({ type: z.literal('reminders'), tenant, runId: z.string(), day: z.string(), cursor: z.string().optional() }),
  /** leadScoreRefresh for one tenant, one chunk of open leads after `cursor`. */
  z.object({ type: z.literal('rescore'), tenant, runId: z.string(), cursor: z.string().optional() }),
  /** An outbound webhook delivery of one event to one subscription. */
  z.object({ type: z.literal('webhook'), tenant, subscription: z.string(), event: z.string() }),
  /** One queued Message (an invitation, a sign-in link) for the email provider; the message id keys the send. */
  z.object({ type: z.literal('email'), tenant, message: z.string() }),
  /** The nightly backup of one tenant for one day (its id is the day's, so a retry makes no second one), then retention. */
  z.object({ type: z.literal('backup'), tenant, day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/) }),
])
export type JobMessage = z.infer<typeof JobMessage>
export type JobType = JobMessage['type']
