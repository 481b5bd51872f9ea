import type { Api } from './api';
import type { NodeData } from './map';
import { button, paragraph } from './dom';
import * as Q from './queries';

/** The side panel: details of the selected party, its rankings, recommendations with their reasons, strength components. */

interface Context {
  metric: string;
  admin: boolean;
  ownProvider: string | undefined;
  expand: () => void;
}

interface Components { recency: number; frequency: number; monetary: number | null; sentiment: number | null }
interface Relationship { strength: number; segment: string; components: Components }

const percent = (value: number | null) => (value === null ? 'n/a' : `${Math.round(value * 100)}%`);

function heading(text: string, level = 3): HTMLElement {
  const element = document.createElement(`h${level}`);
  element.textContent = text;
  return element;
}

function list(items: (string | Node)[]): HTMLElement {
  const element = document.createElement('ul');
  for (const item of items) {
    const li = document.createElement('li');
    li.append(item);
    element.append(li);
  }
  return element;
}

function components(relationship: Relationship): HTMLElement {
  const { recency, frequency, monetary, sentiment } = relationship.components;
  const table = document.createElement('dl');
  table.className = 'components';
  for (const [name, value] of [['strength', relationship.strength], ['recency', recency], ['frequency', frequency], ['monetary', monetary], ['sentiment', sentiment]] as const) {
    const term = document.createElement('dt');
    term.textContent = name;
    const bar = document.createElement('meter');
    bar.min = 0;
    bar.max = 1;
    bar.value = value ?? 0;
    const detail = document.createElement('dd');
    detail.append(bar, ` ${percent(value)}`);
    table.append(term, detail);
  }
  return table;
}

export async function renderDetails(panel: HTMLElement, api: Api, key: string, node: NodeData, context: Context): Promise<void> {
  panel.replaceChildren(heading(node.label, 2), paragraph(`${node.kind} · ${node.group}`));
  if (node.kind === 'Community') {
    panel.append(paragraph(`${node.measure} members. Expanding a community is not offered: search a member by name.`));
    return;
  }
  panel.append(button('Expand ties (Enter)', context.expand));
  const body = node.kind === 'Provider' ? await providerDetails(api, key, context) : await consumerDetails(api, key, node, context);
  panel.append(...body);
}

async function providerDetails(api: Api, id: string, context: Context): Promise<Node[]> {
  type Data = {
    provider: {
      category: string | null; website: string | null; score: number | null;
      similarProviders: { similarity: number; provider: { name: string } }[] | null;
      relationships: { edges: { node: Relationship & { consumer: { name: string | null } } }[] } | null;
    } | null;
    providerRanking?: { entries: { rank: number; provider: { id: string } }[] };
  };
  const { data, refused } = await api.query<Data>(Q.PROVIDER_DETAILS, { id, metric: context.metric, admin: context.admin });
  const provider = data.provider;
  if (!provider) return [paragraph('This provider no longer exists.')];
  const place = data.providerRanking?.entries.find((entry) => entry.provider.id === id);
  const out: Node[] = [
    paragraph([provider.category, provider.website].filter(Boolean).join(' · ') || 'No category or website given.'),
    heading('Rankings'),
    paragraph(`${context.metric} score ${provider.score?.toPrecision(3) ?? 'n/a'}${context.admin ? (place ? `, rank ${place.rank}` : ', not among the first 100') : ''}.`),
  ];
  if (provider.similarProviders?.length) {
    out.push(heading('Similar providers'), list(provider.similarProviders.map((s) => `${s.provider.name} (${percent(s.similarity)})`)));
  }
  if (provider.relationships) {
    out.push(heading('Strongest relationships'));
    for (const { node } of provider.relationships.edges) out.push(paragraph(`${node.consumer.name ?? '(erased)'} · ${node.segment}`), components(node));
  } else if (refused.some((path) => path.endsWith('relationships'))) {
    out.push(paragraph('Its relationships are for the provider itself and admins.'));
  }
  return out;
}

async function consumerDetails(api: Api, id: string, node: NodeData, context: Context): Promise<Node[]> {
  type Data = {
    consumer: {
      recommendedProviders: { score: number; basis: string; explanation: string; provider: { name: string }; reasons: { sharedConsumers: number; contribution: number; provider: { name: string } }[] }[] | null;
      relationshipWith?: (Relationship & { relationCount: number; provider: { name: string } }) | null;
    } | null;
  };
  const provider = node.reachedFrom ?? context.ownProvider;
  const { data } = await api.query<Data>(Q.CONSUMER_DETAILS, { id, provider: provider ?? '', withProvider: Boolean(provider) });
  const consumer = data.consumer;
  if (!consumer) return [paragraph('This consumer is not visible to this key.')];
  const out: Node[] = [];
  if (consumer.relationshipWith) {
    const relationship = consumer.relationshipWith;
    out.push(heading(`Relationship with ${relationship.provider.name}`), paragraph(`${relationship.segment}, ${relationship.relationCount} relations`), components(relationship));
  }
  if (consumer.recommendedProviders) {
    out.push(heading('Recommended next'));
    out.push(list(consumer.recommendedProviders.map((r) => `${r.provider.name} (${r.score.toPrecision(2)}, ${r.basis.toLowerCase()}): ${r.explanation}`)));
  } else {
    out.push(paragraph('Recommendations are for the consumer itself and admins.'));
  }
  return out;
}
