import { ErasedConsumerError, InvalidInputError, NotFoundError } from '../domain/errors';
import { MAX_MERGED_CONSUMERS, type Merge, mergeConsumers } from '../domain/merges';
import { builder } from './builder';
import { ConsumerNode } from './consumer';
import { mutationResult } from './errors';
import { parseId } from './ids';

const ConsumerMergeRef = builder.objectRef<Merge>('ConsumerMerge').implement({
  description: 'What a merge did.',
  fields: (t) => ({
    consumer: t.field({ type: ConsumerNode, description: 'The surviving consumer, as it is after the merge.', resolve: (merge) => merge.consumer }),
    movedRelationCount: t.exposeInt('movedRelationCount', { description: 'Relations of the merged accounts now with the survivor.' }),
    revokedKeyCount: t.exposeInt('revokedKeyCount', { description: 'API keys of the merged accounts that were revoked.' }),
  }),
});

builder.mutationField('mergeConsumers', (t) =>
  t.field({
    type: ConsumerMergeRef,
    description:
      'Merges one person’s accounts into one (admins only), all or nothing: the relations of `from` move to `into`, which keeps the earliest ' +
      'creation time and marketing consent only if every account gave it; the merged accounts’ keys are revoked, their external IDs keep ' +
      'finding `into`, and they are deleted. `exportConsumerData` of `into` lists them.',
    authScopes: { admin: true },
    args: {
      into: t.arg.id({ required: true, description: 'Global ID of the consumer that stays.' }),
      from: t.arg.idList({ required: true, description: `Global IDs of the consumers merged into it and deleted: 1 to ${MAX_MERGED_CONSUMERS}, distinct.` }),
    },
    errors: mutationResult('MergeConsumers', 'merge', [InvalidInputError, NotFoundError, ErasedConsumerError]),
    resolve: (_root, { into, from }) =>
      mergeConsumers(
        parseId(into, 'Consumer', 'into'),
        from.map((id, index) => parseId(id, 'Consumer', `from.${index}`)),
      ),
  }),
);
