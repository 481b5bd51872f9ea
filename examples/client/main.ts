import { FindConsumer, FindProvider, Recommendations, RecordPurchase } from './operations';
import { request } from './request';

/**
 * A typed client of Rapport, built from schema.graphql by `npm run codegen`:
 *
 *   RAPPORT_API_KEY=rpk_… npx tsx examples/client/main.ts [URL] [CONSUMER NAME] [PROVIDER NAME]
 *
 * finds a consumer and a provider by name, records a purchase between them and prints the
 * consumer's recommended providers. Against `npm start`'s demo data the defaults work.
 */
async function main(url = 'http://localhost:4000/graphql', consumerName = 'Ada', providerName = 'Book') {
  const endpoint = { url, apiKey: process.env.RAPPORT_API_KEY };
  const consumers = await request(endpoint, FindConsumer, { name: consumerName });
  const consumer = consumers.consumers?.edges?.[0]?.node;
  if (!consumer) throw new Error(`No consumer's name contains "${consumerName}"`);

  const providers = await request(endpoint, FindProvider, { name: providerName });
  const provider = providers.providers?.edges?.[0]?.node;
  if (!provider) throw new Error(`No provider's name contains "${providerName}"`);
  console.log(`consumer: ${consumer.name} (${consumer.id}); provider: ${provider.name} (${provider.id})`);

  const { recordRelation } = await request(endpoint, RecordPurchase, {
    consumerId: consumer.id,
    providerId: provider.id,
    amountMinor: 1999,
    currency: 'EUR',
    occurredAt: new Date().toISOString(),
  });
  if (recordRelation?.__typename !== 'RecordRelationSuccess') {
    throw new Error(`The purchase was refused: ${recordRelation && 'message' in recordRelation ? recordRelation.message : 'no answer'}`);
  }
  const purchase = recordRelation.relation;
  console.log(`recorded: ${purchase?.kind} ${purchase?.amountMinor} ${purchase?.currency} (${purchase?.id})`);

  const { consumer: recommended } = await request(endpoint, Recommendations, { consumerId: consumer.id, first: 3 });
  for (const recommendation of recommended?.recommendedProviders ?? []) {
    console.log(`recommended: ${recommendation.provider?.name} (${recommendation.basis}): ${recommendation.explanation}`);
  }
}

main(...process.argv.slice(2)).catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
