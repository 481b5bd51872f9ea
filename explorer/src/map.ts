import Graph from 'graphology';
import { inferSettings } from 'graphology-layout-forceatlas2';
import FA2Layout from 'graphology-layout-forceatlas2/worker';
import Sigma from 'sigma';

export type NodeKind = 'Consumer' | 'Provider' | 'Community';

export interface NodeData {
  label: string;
  kind: NodeKind;
  x: number;
  y: number;
  size: number;
  color: string;
  /** Community index (overview), or the segment of its strongest tie shown (neighbourhood). */
  group: string;
  /** Centrality score for a party, members for a community. */
  measure: number;
  /** The provider this consumer was reached from, for its relationship's strength. */
  reachedFrom?: string;
  /** The community super-node this member was drawn for, while that community is open. */
  openedFrom?: string;
}

export interface EdgeData {
  size: number;
  color: string;
  /** Relations, pairs across communities, or a relationship's strength (0 to 1). */
  weight: number;
  segment?: string;
}

/** Ten colours that stay apart for the usual kinds of colour blindness (Okabe–Ito, then Tableau). */
const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#4E79A7', '#B07AA1', '#9C755F'];
export const communityColor = (index: number | null): string => (index === null ? '#999999' : PALETTE[index % PALETTE.length]);

export const SEGMENT_COLORS: Record<string, string> = {
  CHAMPION: '#009E73',
  LOYAL: '#0072B2',
  NEW: '#56B4E9',
  OCCASIONAL: '#E69F00',
  AT_RISK: '#D55E00',
  LOST: '#999999',
};

const DIMMED = '#e2e2e2';
/** Members of the marked saved segment: near-black, apart from every community and RFM segment colour. */
export const MARKED = '#1d1d1f';
/** How long ForceAtlas2 runs after the graph changes; longer for larger graphs, bounded. */
const layoutMs = (order: number) => Math.min(5000, 2000 + order * 5);

function startingPoint(graph: Graph<NodeData, EdgeData>, near: string | { community: number; of: number } | undefined) {
  if (typeof near === 'string' && graph.hasNode(near)) return { ...graph.getNodeAttributes(near), spread: 1 };
  if (typeof near === 'object') {
    const angle = (2 * Math.PI * near.community) / Math.max(1, near.of);
    return { x: 10 * Math.cos(angle), y: 10 * Math.sin(angle), spread: 6 };
  }
  return { x: 0, y: 0, spread: 10 };
}

/** The map: a graphology graph drawn by sigma, laid out by ForceAtlas2 in a web worker. */
export class RelationMap {
  readonly graph = new Graph<NodeData, EdgeData>({ type: 'undirected' });
  readonly renderer: Sigma<NodeData, EdgeData>;
  private layout: FA2Layout | undefined;
  private layoutTimer: ReturnType<typeof setTimeout> | undefined;
  private selected: string | null = null;
  private marked: ReadonlySet<string> = new Set();

  constructor(container: HTMLElement, events: { select: (key: string | null) => void; expand: (key: string) => void }) {
    this.renderer = new Sigma(this.graph, container, {
      labelRenderedSizeThreshold: 7,
      zIndex: true,
      nodeReducer: (node, data) => this.nodeLook(node, data),
      edgeReducer: (edge, data) => this.edgeLook(edge, data),
    });
    this.renderer.on('clickNode', ({ node }) => events.select(node));
    this.renderer.on('doubleClickNode', ({ node, preventSigmaDefault }) => {
      preventSigmaDefault();
      events.expand(node);
    });
    this.renderer.on('clickStage', () => events.select(null));
  }

  /**
   * Adds a node, or updates what is known about it (its place is kept). A new node starts near
   * `near`, or else around its community's place on a circle, so that the layout settles sooner.
   */
  putNode(key: string, data: Omit<NodeData, 'x' | 'y'>, near?: string | { community: number; of: number }): void {
    if (this.graph.hasNode(key)) {
      this.graph.mergeNodeAttributes(key, data);
      return;
    }
    const anchor = startingPoint(this.graph, near);
    this.graph.addNode(key, { ...data, x: anchor.x + (Math.random() - 0.5) * anchor.spread, y: anchor.y + (Math.random() - 0.5) * anchor.spread });
  }

  putEdge(a: string, b: string, data: EdgeData): void {
    if (this.graph.hasEdge(a, b)) this.graph.mergeEdgeAttributes(a, b, data);
    else this.graph.addEdge(a, b, data);
  }

  clear(): void {
    this.stopLayout();
    this.graph.clear();
  }

  /** Draws these nodes (a saved segment's members) larger, in MARKED; an empty set marks none. */
  mark(keys: ReadonlySet<string>): void {
    this.marked = keys;
    this.renderer.refresh({ skipIndexation: true });
  }

  isMarked(key: string): boolean {
    return this.marked.has(key);
  }

  select(key: string | null): void {
    this.selected = key;
    this.renderer.refresh({ skipIndexation: true });
    if (key && this.graph.hasNode(key)) {
      const { x, y } = this.renderer.getNodeDisplayData(key)!;
      void this.renderer.getCamera().animate({ x, y }, { duration: 300 });
    }
  }

  /** Runs ForceAtlas2 off the main thread for a while, so the page stays responsive. */
  relayout(): void {
    this.stopLayout();
    if (this.graph.order < 2) return;
    this.layout = new FA2Layout(this.graph, {
      settings: { ...inferSettings(this.graph), barnesHutOptimize: this.graph.order > 300 },
      getEdgeWeight: null,
    });
    this.layout.start();
    this.layoutTimer = setTimeout(() => this.stopLayout(), layoutMs(this.graph.order));
  }

  get laidOut(): boolean {
    return this.layout === undefined;
  }

  private stopLayout(): void {
    clearTimeout(this.layoutTimer);
    this.layout?.kill();
    this.layout = undefined;
  }

  private nodeLook(node: string, given: NodeData): Partial<NodeData> & { highlighted?: boolean; zIndex?: number } {
    const data = this.marked.has(node) ? { ...given, color: MARKED, size: given.size * 1.4 } : given;
    if (!this.selected || !this.graph.hasNode(this.selected)) return data;
    if (node === this.selected) return { ...data, highlighted: true, zIndex: 2 };
    if (this.graph.areNeighbors(node, this.selected)) return { ...data, zIndex: 1 };
    return { ...data, color: DIMMED, label: '', zIndex: 0 };
  }

  private edgeLook(edge: string, data: EdgeData): Partial<EdgeData> & { hidden?: boolean } {
    if (!this.selected || !this.graph.hasNode(this.selected)) return data;
    return this.graph.hasExtremity(edge, this.selected) ? data : { ...data, color: DIMMED };
  }
}
