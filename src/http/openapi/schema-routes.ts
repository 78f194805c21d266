/**
 * The tenant's schema in the Noun DSL (`/nouns`) and the manifest (configuration as code). The tenant's
 * own OpenAPI document (`/~{tenant}/openapi.json`) is told of in the root `/openapi.json` entry: one path, two servers.
 */
import { SCHEMA_LIMITS } from '../../domain/schema/doc'
import { TENANT_ERRORS, jsonBody, jsonResponse, problems, type Paths } from './components'
import type { JsonSchema } from './schemas'

const dsl: JsonSchema = {
  type: 'object',
  description: 'Field → a Noun DSL string (`string!`, `number#`, `email##`, `Draft | Active | Done`, `-> Organization.projects`, `string[]`, `int = 3`); verb → the state it sets (`activate: "Active"`); `create`/`update`/`delete` → null to switch one off.',
  additionalProperties: { type: ['string', 'null'], maxLength: 2000 },
  examples: [{ name: 'string!', budget: 'number', code: 'string##', status: 'Draft | Active | Done', client: '-> Organization.projects', activate: 'Active' }],
}

const nounView: JsonSchema = {
  type: 'object',
  required: ['name', 'collection', 'idPrefix', 'builtIn', 'definition', 'custom'],
  properties: {
    name: { type: 'string', examples: ['Project'] },
    collection: { type: 'string', examples: ['projects'] },
    idPrefix: { type: 'string', examples: ['project'] },
    builtIn: { type: 'boolean', description: 'One of Revline’s own nouns (its built-in fields cannot change).' },
    definition: { ...dsl, description: 'Every field and verb of the noun, in the Noun DSL.' },
    custom: { ...dsl, description: 'The tenant’s own part: what `PUT /nouns/{name}` takes.' },
  },
}

const changeResult: JsonSchema = {
  type: 'object',
  required: ['version', 'noun', 'migrated', 'dropped'],
  properties: {
    version: { type: 'integer', description: 'The schema version after the change.' },
    noun: { oneOf: [nounView, { type: 'null' }] },
    migrated: { type: 'integer', description: 'Rows rewritten (values dropped, defaults filled), each with a `<noun>.migrated` event.' },
    dropped: { type: 'integer', description: 'Rows deleted with their noun, each with a `<noun>.dropped` event.' },
  },
}

const nameParam = { name: 'name', in: 'path', required: true, schema: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9]*$', maxLength: 60 }, description: 'The noun’s name (PascalCase), e.g. `Contact` or `Project`.' }
const dropParam = {
  name: 'drop',
  in: 'query',
  schema: { type: 'string', examples: ['shoeSize,tier'] },
  description: 'Comma-separated fields (or, on DELETE, the noun’s name) whose stored values the change may delete. Without it a change that would lose or invalidate values answers 409 `schema_conflict`.',
}

const LIMITS = `Limits: ${SCHEMA_LIMITS.customNouns} nouns of the tenant's own, ${SCHEMA_LIMITS.customFields} custom fields per noun, ${SCHEMA_LIMITS.indexedFields} indexed ones (\`#\`, \`##\`, relations), names up to ${SCHEMA_LIMITS.nameLength} characters.`

const manifestSchema: JsonSchema = {
  type: 'object',
  required: ['revline', 'nouns', 'stages', 'settings'],
  description: 'The tenant’s whole configuration: its schema, pipeline stages and settings sections. Never a secret or key: webhook subscriptions come without their signing secret (a PUT keeps the stored one, and gives a new subscription a fresh one).',
  properties: {
    revline: { const: 1, description: 'The manifest format version.' },
    nouns: { type: 'object', additionalProperties: dsl, description: 'The tenant’s schema: noun → its custom part in the DSL.' },
    stages: { type: 'array', items: { type: 'object', additionalProperties: true, required: ['name', 'order'] }, description: 'Pipeline stages by name (fields of Stage).' },
    settings: { type: 'object', additionalProperties: true, description: 'Settings sections, as `GET /settings/{section}` gives them.' },
  },
}

const manifestChanges: JsonSchema = {
  type: 'object',
  required: ['dryRun', 'changes'],
  properties: {
    dryRun: { type: 'boolean' },
    version: { type: 'integer', description: 'The schema version after an applied manifest.' },
    changes: {
      type: 'array',
      items: { type: 'object', required: ['path', 'change'], properties: { path: { type: 'string', examples: ['nouns.Project', 'stages.Proposal', 'settings.scoring'] }, change: { enum: ['add', 'remove', 'update'] }, before: {}, after: {} } },
    },
  },
}

export function schemaRoutePaths(): Paths {
  return {
    '/nouns': {
      get: {
        operationId: 'listNouns',
        tags: ['Schema'],
        summary: 'Every noun of the tenant in the Noun DSL',
        responses: {
          '200': jsonResponse('The nouns', { type: 'object', required: ['version', 'data'], properties: { version: { type: 'integer' }, data: { type: 'array', items: nounView } } }),
          ...problems(...TENANT_ERRORS),
        },
      },
    },
    '/nouns/{name}': {
      parameters: [nameParam],
      get: { operationId: 'getNoun', tags: ['Schema'], summary: 'One noun: its whole definition, and the tenant’s part told apart', responses: { '200': jsonResponse('The noun', nounView), ...problems(...TENANT_ERRORS) } },
      put: {
        operationId: 'putNoun',
        tags: ['Schema'],
        summary: 'Set the tenant’s fields of a built-in noun, or define a noun of its own',
        description: `Admin keys only. For a built-in noun (Contact, Lead, Deal…) the body is the tenant's custom fields on top of the built-in ones (a custom field cannot shadow one); for a new name it defines a noun of the tenant's own, whose collection, ids, CRUD, verbs, events, history and asOf work at once. A field left out is dropped. Every change is a \`schema.changed\` event. ${LIMITS}`,
        parameters: [dropParam],
        requestBody: jsonBody(dsl),
        responses: {
          '200': jsonResponse('The noun as changed', changeResult),
          '201': jsonResponse('The noun, defined', changeResult),
          ...problems(400, ...TENANT_ERRORS, 409, 413, 415, 422),
        },
      },
      delete: {
        operationId: 'deleteNoun',
        tags: ['Schema'],
        summary: 'Delete a noun of the tenant’s own',
        description: 'Admin keys only. A noun with stored records needs `?drop={name}`; relations from other nouns must go first (422).',
        parameters: [dropParam],
        responses: { '200': jsonResponse('The change', changeResult), ...problems(400, ...TENANT_ERRORS, 405, 409, 422) },
      },
    },
    '/manifest': {
      get: { operationId: 'getManifest', tags: ['Schema'], summary: 'The tenant’s whole configuration as one document (admin)', responses: { '200': jsonResponse('The manifest', manifestSchema), ...problems(...TENANT_ERRORS) } },
      put: {
        operationId: 'putManifest',
        tags: ['Schema'],
        summary: 'Make the tenant’s configuration equal to a manifest, all or nothing (admin)',
        description: 'With `dryRun=true` answers the changes it would make and changes nothing. Otherwise applies them in one transaction, recorded as one `manifest.applied` event (stages keep their own events). Conflicts with stored values answer 409 as `PUT /nouns/{name}` does; `drop` names what may go.',
        parameters: [{ name: 'dryRun', in: 'query', schema: { type: 'boolean' } }, { ...dropParam, description: 'Comma-separated `Noun.field` (or a noun’s name) whose stored values may be deleted.' }],
        requestBody: jsonBody(manifestSchema),
        responses: { '200': jsonResponse('The changes', manifestChanges), ...problems(400, ...TENANT_ERRORS, 409, 413, 415, 422) },
      },
    },
  }
}
