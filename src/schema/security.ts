import { db } from '../db/client';
import { InvalidInputError, NotFoundError } from '../domain/errors';
import { eraseConsumer, exportConsumerData } from '../domain/privacy';
import { builder } from './builder';
import { cursorScope } from './cursors';
import { ConsumerNode } from './consumer';
import { mutationResult } from './errors';
import { idForScope, parseId } from './ids';

const RoleEnum = builder.enumType('Role', {
  description: 'What an API key may do; docs/security.md lists what each role can see.',
  values: ['ANONYMOUS', 'ADMIN', 'PROVIDER', 'CONSUMER'] as const,
});

const Viewer = builder.objectRef<{ role: typeof RoleEnum.$inferType; consumerId?: number; providerId?: number }>('Viewer').implement({
  description: 'The caller, as its API key names it.',
  fields: (t) => ({
    role: t.field({ type: RoleEnum, description: 'The role of the key; ANONYMOUS without one.', resolve: (viewer) => viewer.role }),
    consumer: t.prismaField({
      type: 'Consumer',
      nullable: true,
      description: 'The consumer a CONSUMER key acts for; null for other roles.',
      resolve: (query, viewer) => (viewer.consumerId ? db().consumer.findUnique({ ...query, where: { id: viewer.consumerId } }) : null),
    }),
    provider: t.prismaField({
      type: 'Provider',
      nullable: true,
      description: 'The provider a PROVIDER key acts for; null for other roles.',
      resolve: (query, viewer) => (viewer.providerId ? db().provider.findUnique({ ...query, where: { id: viewer.providerId } }) : null),
    }),
  }),
});

builder.prismaObject('AuditEntry', {
  description: 'One mutation attempt: who, what, when, which IDs, and how it ended.',
  authScopes: { admin: true },
  fields: (t) => ({
    at: t.expose('at', { type: 'DateTime', description: 'When the mutation was attempted.' }),
    actorRole: t.field({ type: RoleEnum, description: 'The role of the key used.', resolve: (entry) => entry.actorRole as typeof RoleEnum.$inferType }),
    actorKeyId: t.exposeInt('actorKeyId', { nullable: true, description: 'The API key used (see `npm run key -- list`).' }),
    actorId: t.exposeID('actorId', { nullable: true, description: 'The consumer or provider the key acts for.' }),
    operation: t.exposeString('operation', { description: 'The mutation, e.g. recordRelation.' }),
    targetIds: t.idList({ description: 'IDs the mutation named or created.', resolve: (entry) => JSON.parse(entry.targetIds) }),
    outcome: t.exposeString('outcome', { description: 'OK, or the name of the error that stopped it (e.g. ForbiddenError).' }),
  }),
});

const AuditFilter = builder.inputType('AuditFilter', {
  description: 'Which audit entries to list; all conditions must hold.',
  fields: (t) => ({
    operation: t.string({ required: false, description: 'Only this mutation, e.g. recordRelation.' }),
    actorId: t.id({ required: false, description: 'Only entries by keys acting for this consumer or provider.' }),
    targetId: t.id({ required: false, description: 'Only entries that named or created this ID.' }),
  }),
});

builder.queryFields((t) => ({
  viewer: t.field({
    type: Viewer,
    description: 'Who the request’s API key says the caller is.',
    resolve: (_root, _args, { caller }) => ({
      role: caller.role,
      consumerId: caller.role === 'CONSUMER' ? caller.consumerId : undefined,
      providerId: caller.role === 'PROVIDER' ? caller.providerId : undefined,
    }),
  }),
  auditLog: t.prismaConnection({
    type: 'AuditEntry',
    cursor: 'id',
    description: 'Every mutation attempt, newest first; admins only.',
    authScopes: { admin: true },
    ...cursorScope(() => ({ model: 'auditEntry', where: {} })),
    args: { filter: t.arg({ type: AuditFilter, required: false, description: 'Only entries that match.' }) },
    resolve: (query, _root, { filter }) =>
      db().auditEntry.findMany({
        ...query,
        where: {
          ...(filter?.operation ? { operation: filter.operation } : {}),
          ...(filter?.actorId ? { actorId: filter.actorId } : {}),
          ...(filter?.targetId ? { targetIds: { contains: JSON.stringify(filter.targetId) } } : {}),
        },
        orderBy: { id: 'desc' },
      }),
  }),
  exportConsumerData: t.field({
    type: 'JSONObject',
    description: 'Everything held about a consumer (GDPR access): profile, relations, API keys, audit trail. For the consumer and admins.',
    authScopes: (_root, { id }) => ({ admin: true, consumer: idForScope(id, 'Consumer') }),
    args: { id: t.arg.id({ required: true, description: 'Global ID of the consumer.' }) },
    resolve: (_root, { id }) => exportConsumerData(parseId(id, 'Consumer', 'id')),
  }),
}));

const Erasure = builder.objectRef<Awaited<ReturnType<typeof eraseConsumer>>>('Erasure').implement({
  description: 'What an erasure did.',
  fields: (t) => ({
    consumer: t.field({ type: ConsumerNode, description: 'The consumer, as it is after erasure.', resolve: (erasure) => erasure.consumer }),
    anonymisedRelationCount: t.exposeInt('anonymisedRelationCount', { description: 'Relations whose review comment was removed.' }),
  }),
});

builder.mutationField('eraseConsumer', (t) =>
  t.field({
    type: Erasure,
    description:
      'Erases a consumer’s personal data (GDPR erasure) and revokes its keys, keeping its relations anonymised so that statistics stay correct. For the consumer and admins.',
    authScopes: (_root, { id }) => ({ admin: true, consumer: idForScope(id, 'Consumer') }),
    args: { id: t.arg.id({ required: true, description: 'Global ID of the consumer.' }) },
    errors: mutationResult('EraseConsumer', 'erasure', [InvalidInputError, NotFoundError]),
    resolve: (_root, { id }) => eraseConsumer(parseId(id, 'Consumer', 'id')),
  }),
);

