import { Api, ApiError, forgetKey, storeKey, storedKey } from './api';
import { type EdgeData, type NodeData, type NodeKind, RelationMap, SEGMENT_COLORS, communityColor } from './map';
import { button, paragraph } from './dom';
import { renderDetails } from './panel';
import * as Q from './queries';

type Role = 'ADMIN' | 'PROVIDER' | 'CONSUMER' | 'ANONYMOUS';
interface Viewer { role: Role; provider: { id: string; name: string } | null; consumer: { id: string; name: string } | null }
interface Named { id: string; name: string | null }
interface PageInfo { hasNextPage: boolean; endCursor: string | null }

const element = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
/** Live events arrive per write; the map is redrawn at most this often. */
const REDRAW_MS = 1500;
/** Nodes the overview asks for; `?nodes=N` in the page's address chooses another (1 to 500, the API's bounds). */
const OVERVIEW_NODES = overviewNodes(new URLSearchParams(window.location.search).get('nodes'));
/** Pages of 100 members read to mark a saved segment: the map shows a few hundred consumers at most. */
const SEGMENT_PAGES = 10;
/** Members a community super-node opens into, at most. */
const COMMUNITY_MEMBERS = 30;

function overviewNodes(asked: string | null): number {
  const nodes = Number(asked);
  return asked !== null && Number.isInteger(nodes) && nodes >= 1 && nodes <= 500 ? nodes : 200;
}

/** A community super-node opened up: what it looked like, and the members drawn in its place. */
interface OpenedCommunity {
  node: NodeData;
  edges: { other: string; data: EdgeData }[];
  members: string[];
}

class Explorer {
  readonly map: RelationMap;
  private metric = 'PAGERANK';
  private aggregated = false;
  private selected: string | null = null;
  /** Where the next expansion of a node continues (its ties are paged). */
  private readonly nextPage = new Map<string, PageInfo>();
  /** The nodes the last overview drew. */
  private fromOverview = new Set<string>();
  /** Community super-nodes opened up, by key. */
  private readonly opened = new Map<string, OpenedCommunity>();
  private stopLive: (() => void) | undefined;
  private redraw: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly api: Api,
    private readonly viewer: Viewer,
  ) {
    this.map = new RelationMap(element('map'), { select: (key) => void this.select(key), expand: (key) => void this.expand(key) });
    (window as unknown as { rapportExplorer: Explorer }).rapportExplorer = this; // read back by the browser test
  }

  async start(): Promise<void> {
    await this.listSegments();
    if (this.viewer.role === 'ADMIN') await this.showOverview();
    else await this.showOwnNeighbourhood();
    this.goLive();
  }

  async showOverview(consistency = 'EVENTUAL'): Promise<void> {
    this.status('Loading the map…');
    const { data } = await this.api.query<{ graphOverview: Overview }>(Q.OVERVIEW, { metric: this.metric, consistency, limit: OVERVIEW_NODES });
    for (const key of [...this.opened.keys()]) this.closeCommunity(key);
    const overview = data.graphOverview;
    this.aggregated = overview.aggregated;
    const largest = Math.max(...overview.nodes.map((node) => node.score ?? 0), Number.MIN_VALUE);
    // Nodes the last overview drew and this one does not are gone; nodes of expanded neighbourhoods stay.
    const keep = new Set(overview.nodes.map((node) => node.key));
    for (const node of this.fromOverview) if (!keep.has(node) && this.map.graph.hasNode(node)) this.map.graph.dropNode(node);
    this.fromOverview = keep;
    for (const node of overview.nodes) {
      this.map.putNode(node.key, overviewNode(node, largest), node.community === null ? undefined : { community: node.community, of: overview.communityCount });
    }
    const heaviest = Math.max(...overview.edges.map((edge) => edge.weight), 1);
    for (const edge of overview.edges) {
      this.map.putEdge(edge.source, edge.target, { weight: edge.weight, size: 1 + (4 * edge.weight) / heaviest, color: '#c8c8c8' });
    }
    this.map.relayout();
    this.status(
      overview.aggregated
        ? `${overview.totalNodes} nodes and ${overview.totalEdges} ties: showing the ${overview.nodes.length} most central providers and largest communities`
        : `The whole graph: ${overview.totalNodes} nodes, ${overview.totalEdges} ties, ${overview.communityCount} communities`,
    );
    this.renderTable();
  }

  private async showOwnNeighbourhood(): Promise<void> {
    const own = this.viewer.provider ?? this.viewer.consumer;
    if (!own) throw new ApiError('This key acts for nobody: use an admin, provider or consumer key', ['FORBIDDEN']);
    this.map.putNode(own.id, partyNode(own, this.viewer.provider ? 'Provider' : 'Consumer'));
    await this.expand(own.id);
    await this.select(own.id);
  }

  /** Adds the next page of a node's ties: edge width by relationship strength, colour by segment. */
  async expand(key: string): Promise<void> {
    const attributes = this.map.graph.hasNode(key) ? this.map.graph.getNodeAttributes(key) : undefined;
    if (!attributes) return;
    if (attributes.kind === 'Community') return this.openCommunity(key, attributes);
    const page = this.nextPage.get(key);
    if (page && !page.hasNextPage) return this.status(`Every tie of ${attributes.label} is shown`);
    const after = page?.endCursor ?? null;
    const ties = attributes.kind === 'Provider' ? await this.providerTies(key, after) : await this.consumerTies(key, after);
    if (!ties) return this.status(`This key may not list the ties of ${attributes.label}`);
    for (const tie of ties.items) {
      const kind: NodeKind = attributes.kind === 'Provider' ? 'Consumer' : 'Provider';
      this.map.putNode(tie.other.id, { ...partyNode(tie.other, kind), group: tie.segment ?? 'unknown', ...(kind === 'Consumer' && { reachedFrom: key, color: segmentColor(tie.segment) }) }, key);
      const strength = tie.strength ?? 0;
      this.map.putEdge(key, tie.other.id, { weight: strength, segment: tie.segment ?? undefined, size: 1 + strength * 7, color: segmentColor(tie.segment) });
    }
    this.nextPage.set(key, ties.pageInfo);
    this.map.relayout();
    this.status(`${attributes.label}: ${ties.items.length} more ties${ties.pageInfo.hasNextPage ? ' (expand again for more)' : ''}`);
    this.renderTable();
  }

  /**
   * Draws a community super-node's most central members in its place (one bounded page from the
   * API), with the ties between them; `closeCommunity` puts the super-node back.
   */
  private async openCommunity(key: string, superNode: NodeData): Promise<void> {
    const community = Number(key.slice('community:'.length));
    this.status(`Opening ${superNode.label}…`);
    const { data } = await this.api.query<{ graphOverview: Overview }>(Q.COMMUNITY, { metric: this.metric, community, limit: COMMUNITY_MEMBERS });
    if (!this.map.graph.hasNode(key)) return; // redrawn meanwhile
    const graph = this.map.graph;
    const opened: OpenedCommunity = { node: { ...superNode }, edges: graph.edges(key).map((edge) => ({ other: graph.opposite(key, edge), data: { ...graph.getEdgeAttributes(edge) } })), members: [] };
    const members = data.graphOverview.nodes;
    const largest = Math.max(...members.map((node) => node.score ?? 0), Number.MIN_VALUE);
    for (const member of members) {
      if (graph.hasNode(member.key)) continue; // a provider the overview already draws
      this.map.putNode(member.key, { ...overviewNode(member, largest), openedFrom: key }, key);
      opened.members.push(member.key);
    }
    const heaviest = Math.max(...data.graphOverview.edges.map((edge) => edge.weight), 1);
    for (const edge of data.graphOverview.edges) {
      this.map.putEdge(edge.source, edge.target, { weight: edge.weight, size: 1 + (3 * edge.weight) / heaviest, color: communityColor(community) });
    }
    graph.dropNode(key);
    this.opened.set(key, opened);
    this.map.relayout();
    const shown = members.length;
    this.status(`${superNode.label}: its ${shown} most central members${data.graphOverview.aggregated ? ` of ${superNode.measure}` : ''}; close it from the panel`);
    this.renderTable();
    await this.select(opened.members[0] ?? members[0]?.key ?? null);
  }

  /** Puts an opened community's super-node back in place of the members drawn for it. */
  closeCommunity(key: string): void {
    const opened = this.opened.get(key);
    if (!opened) return;
    this.opened.delete(key);
    const graph = this.map.graph;
    this.map.putNode(key, opened.node, opened.members[0]);
    for (const member of opened.members) if (graph.hasNode(member)) graph.dropNode(member);
    for (const { other, data } of opened.edges) if (graph.hasNode(other)) this.map.putEdge(key, other, data);
  }

  private async collapse(key: string): Promise<void> {
    this.closeCommunity(key);
    this.map.relayout();
    this.renderTable();
    this.status(`${this.map.graph.getNodeAttribute(key, 'label')} closed`);
    await this.select(key);
  }

  private async providerTies(id: string, after: string | null) {
    const { data } = await this.api.query<{ provider: { relationships: { pageInfo: PageInfo; edges: { node: { strength: number; segment: string; consumer: Named } }[] } | null } | null }>(Q.PROVIDER_TIES, { id, after });
    const relationships = data.provider?.relationships;
    return relationships && { pageInfo: relationships.pageInfo, items: relationships.edges.map(({ node }) => ({ other: node.consumer, strength: node.strength, segment: node.segment })) };
  }

  private async consumerTies(id: string, after: string | null) {
    const { data } = await this.api.query<{ consumer: { providers: { pageInfo: PageInfo; edges: { node: Named & { relationshipWith: { strength: number; segment: string } | null } }[] } | null } | null }>(Q.CONSUMER_TIES, { id, after });
    const providers = data.consumer?.providers;
    return providers && { pageInfo: providers.pageInfo, items: providers.edges.map(({ node }) => ({ other: node, strength: node.relationshipWith?.strength, segment: node.relationshipWith?.segment })) };
  }

  async select(key: string | null): Promise<void> {
    this.selected = key && this.map.graph.hasNode(key) ? key : null;
    this.map.select(this.selected);
    this.markTableSelection();
    const panel = element('panel');
    if (!this.selected) {
      panel.replaceChildren(paragraph('Select a node: click it, or use the keys or the table.'));
      return;
    }
    const attributes = this.map.graph.getNodeAttributes(this.selected);
    const openedFrom = attributes.openedFrom;
    await renderDetails(panel, this.api, this.selected, attributes, {
      metric: this.metric,
      admin: this.viewer.role === 'ADMIN',
      ownProvider: this.viewer.provider?.id,
      expand: () => void this.expand(this.selected!),
      close: openedFrom && this.opened.has(openedFrom) ? { label: this.opened.get(openedFrom)!.node.label, run: () => void this.collapse(openedFrom) } : undefined,
    });
  }

  /** Relations recorded while the page is open appear: admins hear of every change, a provider of its own relations. */
  private goLive(): void {
    const onError = (message: string) => this.status(`Live updates stopped: ${message}`);
    if (this.viewer.role === 'ADMIN') {
      this.stopLive = this.api.subscribe(Q.GRAPH_CHANGED, {}, () => this.scheduleRedraw(), onError);
    } else if (this.viewer.provider) {
      this.stopLive = this.api.subscribe(Q.RELATION_RECORDED, { providerId: this.viewer.provider.id }, () => this.scheduleRedraw(), onError);
    }
  }

  private scheduleRedraw(): void {
    this.redraw ??= setTimeout(() => {
      this.redraw = undefined;
      void this.refresh().catch((error: unknown) => this.status(messageOf(error)));
    }, REDRAW_MS);
  }

  /** Redraws what is shown with the graph as it is now; node places are kept. */
  private async refresh(): Promise<void> {
    const expanded = [...this.nextPage.keys()];
    const opened = [...this.opened.keys()];
    if (this.viewer.role === 'ADMIN') await this.showOverview(this.aggregated ? 'EVENTUAL' : 'LATEST');
    for (const key of opened) await this.expand(key);
    for (const key of expanded) {
      this.nextPage.delete(key);
      await this.expand(key);
    }
  }

  /** The saved segments this key may read, offered for marking; the control stays hidden when there are none. */
  private async listSegments(): Promise<void> {
    const { data } = await this.api.query<{ segments: { id: string; name: string; memberCount: number | null }[] | null }>(Q.SEGMENTS);
    const segments = data.segments ?? [];
    const select = element<HTMLSelectElement>('segment');
    select.replaceChildren(new Option('none', ''), ...segments.map((segment) => new Option(`${segment.name}${segment.memberCount === null ? '' : ` (${segment.memberCount})`}`, segment.id)));
    select.hidden = element('segment-label').hidden = segments.length === 0;
  }

  /**
   * Marks the consumers on the map that are members of a saved segment (and those added later).
   * Reads the members a page at a time, at most SEGMENT_PAGES pages, and says so when it stopped short.
   */
  async markSegment(id: string): Promise<void> {
    if (!id) {
      this.map.mark(new Set());
      this.renderTable();
      return this.status('No saved segment marked');
    }
    const members = new Set<string>();
    let after: string | null = null;
    let segment: { name: string; memberCount: number | null } | undefined;
    for (let page = 0; page < SEGMENT_PAGES; page++) {
      type Page = { segment: { name: string; memberCount: number | null; members: { pageInfo: PageInfo; edges: { node: { id: string } }[] } | null } | null };
      const answer: Page = (await this.api.query<Page>(Q.SEGMENT_MEMBERS, { id, after })).data;
      if (!answer.segment?.members) return this.status('This segment is gone, or this key may not read its members');
      segment = answer.segment;
      for (const { node } of answer.segment.members.edges) members.add(node.id);
      if (!answer.segment.members.pageInfo.hasNextPage) break;
      after = answer.segment.members.pageInfo.endCursor;
    }
    this.map.mark(members);
    this.renderTable();
    const onMap = this.map.graph.filterNodes((key) => members.has(key)).length;
    const total = segment?.memberCount ?? members.size;
    const partly = total > members.size ? ` (checked against the first ${members.size} of its ${total} members)` : '';
    this.status(`${segment?.name}: ${onMap} consumers on the map are members, drawn larger in black${partly}`);
  }

  async search(text: string): Promise<void> {
    const list = element('search-results');
    const { data } = await this.api.query<{ providers: Connection | null; consumers: Connection | null }>(Q.SEARCH, { text });
    const found = [
      ...(data.providers?.edges ?? []).map(({ node }) => ({ ...node, kind: 'Provider' as const })),
      ...(data.consumers?.edges ?? []).map(({ node }) => ({ ...node, kind: 'Consumer' as const })),
    ];
    list.replaceChildren(...found.map((party) => listItem(button(`${party.name ?? '(erased)'} · ${party.kind.toLowerCase()}`, () => void this.focusOn(party, party.kind)))));
    if (found.length === 0) list.replaceChildren(listItem(document.createTextNode(`Nothing named like “${text}” that this key may see`)));
  }

  private async focusOn(party: Named, kind: NodeKind): Promise<void> {
    element('search-results').replaceChildren();
    this.map.putNode(party.id, partyNode(party, kind));
    await this.expand(party.id);
    await this.select(party.id);
  }

  async changeMetric(metric: string): Promise<void> {
    this.metric = metric;
    if (this.viewer.role === 'ADMIN') await this.showOverview();
  }

  async reset(): Promise<void> {
    this.map.clear();
    this.nextPage.clear();
    this.fromOverview.clear();
    this.opened.clear();
    await this.select(null);
    await this.start();
  }

  /** Keyboard navigation: the map's nodes in the table's order. */
  step(offset: number): void {
    const order = this.tableOrder();
    if (order.length === 0) return;
    const at = this.selected ? order.indexOf(this.selected) : -1;
    void this.select(order[(at + offset + order.length) % order.length]);
  }

  async expandSelected(): Promise<void> {
    if (this.selected) await this.expand(this.selected);
  }

  dispose(): void {
    this.stopLive?.();
    this.api.dispose();
  }

  private tableOrder(): string[] {
    const graph = this.map.graph;
    return graph.nodes().sort((a, b) => graph.getNodeAttribute(b, 'measure') - graph.getNodeAttribute(a, 'measure') || graph.getNodeAttribute(a, 'label').localeCompare(graph.getNodeAttribute(b, 'label')));
  }

  /** The accessible twin of the map: one row per node, in the keyboard's order. */
  private renderTable(): void {
    const graph = this.map.graph;
    element('table-caption').textContent = `${graph.order} nodes and ${graph.size} ties on the map`;
    element('table-body').replaceChildren(
      ...this.tableOrder().map((key) => {
        const node = graph.getNodeAttributes(key);
        const row = document.createElement('tr');
        row.dataset.key = key;
        const name = document.createElement('th');
        name.scope = 'row';
        name.append(button(node.label, () => void this.select(key)));
        row.append(name, cell(node.kind), cell(node.group), cell(node.kind === 'Community' ? `${node.measure} members` : node.measure.toPrecision(3)), cell(String(graph.degree(key))), cell(this.map.isMarked(key) ? 'yes' : ''));
        return row;
      }),
    );
    this.markTableSelection();
  }

  private markTableSelection(): void {
    for (const row of element('table-body').querySelectorAll('tr')) {
      if (row.dataset.key === this.selected) row.setAttribute('aria-selected', 'true');
      else row.removeAttribute('aria-selected');
    }
  }

  status(text: string): void {
    element('status').textContent = text;
  }
}

interface Overview {
  aggregated: boolean;
  totalNodes: number;
  totalEdges: number;
  communityCount: number;
  nodes: { key: string; community: number | null; score: number | null; consumerCount: number; providerCount: number; party: (Named & { __typename: 'Consumer' | 'Provider' }) | null }[];
  edges: { source: string; target: string; weight: number }[];
}
type Connection = { edges: { node: Named }[] };

function overviewNode(node: Overview['nodes'][number], largest: number): Omit<NodeData, 'x' | 'y'> {
  const group = node.community === null ? 'no community yet' : `community ${node.community}`;
  if (!node.party) {
    const members = node.consumerCount + node.providerCount;
    return { label: `Community ${node.community} (${members})`, kind: 'Community', size: 6 + 3 * Math.log2(members), color: communityColor(node.community), group, measure: members };
  }
  const score = node.score ?? 0;
  return { label: node.party.name ?? '(erased)', kind: node.party.__typename, size: 4 + 14 * Math.sqrt(score / largest), color: communityColor(node.community), group, measure: score };
}

function partyNode(party: Named, kind: NodeKind): Omit<NodeData, 'x' | 'y'> {
  return { label: party.name ?? '(erased)', kind, size: kind === 'Provider' ? 10 : 6, color: kind === 'Provider' ? '#0072B2' : '#777777', group: kind.toLowerCase(), measure: 0 };
}

const segmentColor = (segment: string | null | undefined) => SEGMENT_COLORS[segment ?? ''] ?? '#bbbbbb';
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

function cell(text: string): HTMLTableCellElement {
  const td = document.createElement('td');
  td.textContent = text;
  return td;
}

function listItem(child: Node): HTMLLIElement {
  const item = document.createElement('li');
  item.append(child);
  return item;
}

let explorer: Explorer | undefined;

async function open(key: string): Promise<void> {
  const api = new Api(key);
  const { data } = await api.query<{ viewer: Viewer }>(Q.VIEWER);
  if (data.viewer.role === 'ANONYMOUS') throw new ApiError('The server did not recognise this key', ['UNAUTHENTICATED']);
  storeKey(key);
  element('key-form').hidden = true;
  for (const id of ['explorer', 'search', 'controls']) element(id).hidden = false;
  element<HTMLSelectElement>('metric').disabled = data.viewer.role !== 'ADMIN';
  explorer = new Explorer(api, data.viewer);
  await explorer.start();
}

function showKeyForm(message = ''): void {
  explorer?.dispose();
  explorer = undefined;
  element('key-form').hidden = false;
  for (const id of ['explorer', 'search', 'controls']) element(id).hidden = true;
  element('key-error').textContent = message;
}

function wire(): void {
  const failed = (error: unknown) => explorer?.status(messageOf(error));
  element<HTMLFormElement>('key-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const key = element<HTMLInputElement>('key').value.trim();
    open(key).catch((error: unknown) => showKeyForm(messageOf(error)));
  });
  element<HTMLFormElement>('search').addEventListener('submit', (event) => {
    event.preventDefault();
    const text = element<HTMLInputElement>('search-text').value.trim();
    if (text) explorer?.search(text).catch(failed);
  });
  element<HTMLSelectElement>('metric').addEventListener('change', (event) => explorer?.changeMetric((event.target as HTMLSelectElement).value).catch(failed));
  element('reset').addEventListener('click', () => explorer?.reset().catch(failed));
  element<HTMLSelectElement>('segment').addEventListener('change', (event) => explorer?.markSegment((event.target as HTMLSelectElement).value).catch(failed));
  element('forget-key').addEventListener('click', () => {
    forgetKey();
    window.location.reload();
  });
  element('map').addEventListener('keydown', (event) => {
    const actions: Record<string, () => void> = {
      ArrowRight: () => explorer?.step(1),
      ArrowDown: () => explorer?.step(1),
      ArrowLeft: () => explorer?.step(-1),
      ArrowUp: () => explorer?.step(-1),
      Enter: () => void explorer?.expandSelected(),
      Escape: () => void explorer?.select(null),
    };
    const action = actions[event.key];
    if (!action) return;
    event.preventDefault();
    action();
  });
  document.addEventListener('keydown', (event) => {
    if (event.key !== '/' || (event.target as HTMLElement).closest('input, textarea, select')) return;
    event.preventDefault();
    element('search-text').focus();
  });
  const key = storedKey();
  if (key) open(key).catch((error: unknown) => showKeyForm(messageOf(error)));
}

wire();
