import type { Api } from './api';
import type { NodeData } from './map';
import { button, paragraph } from './dom';
import { type HistoryPoint, historyFigure } from './history';
import * as Q from './queries';

/** The side panel: details of the selected party, its rankings, recommendations with their reasons, strength components. */

interface Context {
  metric: string;
  admin: boolean;
  ownProvider: string | undefined;
  expand: () => void;
  /** Closes the opened community the selected node was drawn for. */
  close?: { label: string; run: () => void };
}

interface Components { recency: number; frequency: number; monetary: number | null; sentiment: number | null }
interface Relationship { strength: number; segment: string; components: Components }

/** Weeks of history the panel draws: a quarter, enough to see a trend, few enough computations. */
const HISTORY_WEEKS = 12;

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
    panel.append(paragraph(`${node.measure} members.`), button('Open: draw its most central members (Enter)', context.expand));
    return;
  }
  panel.append(button('Expand ties (Enter)', context.expand));
  if (context.close) panel.append(button(`Close ${context.close.label}`, context.close.run));
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
  out.push(historySection(api, id, context.metric));
  if (provider.relationships) {
    out.push(heading('Strongest relationships'));
    for (const { node } of provider.relationships.edges) out.push(paragraph(`${node.consumer.name ?? '(erased)'} · ${node.segment}`), components(node));
  } else if (refused.some((path) => path.endsWith('relationships'))) {
    out.push(paragraph('Its relationships are for the provider itself and admins.'));
  }
  return out;
}

/** Loaded after the rest of the panel: each week is a centrality computation of its own. */
function historySection(api: Api, id: string, metric: string): HTMLElement {
  const section = document.createElement('section');
  section.className = 'history-section';
  section.setAttribute('aria-busy', 'true');
  section.append(heading(`History: ${metric} rank and relations, last ${HISTORY_WEEKS} weeks`), paragraph('Loading…'));
  const loaded = (content: Node) => {
    section.lastChild!.replaceWith(content);
    section.removeAttribute('aria-busy');
  };
  api
    .query<{ provider: { history: HistoryPoint[] | null } | null }>(Q.PROVIDER_HISTORY, { id, metric, window: { last: `P${HISTORY_WEEKS}W` } })
    .then(({ data }) => loaded(data.provider?.history ? historyFigure(data.provider.history) : paragraph('Its history is for the provider itself and admins.')))
    .catch((error: unknown) => loaded(paragraph(`The history could not be loaded: ${error instanceof Error ? error.message : 'unknown error'}`)));
  return section;
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
