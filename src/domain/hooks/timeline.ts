/** Activities keep their lead's `lastActivityAt` and their contact's `lastEngagement` current. */
import { Activity, Stage } from '../nouns'
import { AppError } from '../errors'

Activity.created((activity, $, event) => {
  if (activity.lead) {
    const lead = $.Lead.get(activity.lead)
    if (lead && (lead.lastActivityAt ?? '') < event.at) $.Lead.update(lead.$id, { lastActivityAt: event.at })
  }
})

/** The closing stages are what win and lose move deals to: they keep their name and cannot retire. */
Stage.updating((stage, input) => {
  if (stage.kind !== 'Open' && stage.kind != null && (('name' in input && input.name !== stage.name) || ('kind' in input && input.kind !== stage.kind)))
    throw new AppError('rejected', `the ${stage.kind} stage keeps its name and kind`, [{ path: 'name', message: 'rename or change an open stage instead' }])
})
Stage.retiring((stage) => {
  if (stage.kind !== 'Open' && stage.kind != null) throw new AppError('rejected', `the ${stage.kind} stage cannot be retired`)
})
