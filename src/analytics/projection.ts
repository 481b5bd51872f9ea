import { randomUUID } from 'node:crypto';
import { db } from '../db/client';
import { readGraphSnapshot } from '../db/graph-source';
import { type Change, onChange } from '../domain/changes';
import type { Relation } from '../generated/prisma/client';
import { RelationKind } from '../generated/prisma/enums';
import {
  type RelationFacts,
  type RelationGraph,
  addParty,
  addRelation,
  createRelationGraph,
  pairEdge,
  removeParty,
  removeRelation,
  restrictToKinds,
  snapshotLoader,
} from './graph';

const ALL_KINDS = Object.values(RelationKind);

export interface GraphView {
  graph: RelationGraph;
  version: number;
  /** The relation kinds the graph holds: `ALL`, or kinds joined by `+`. */
  kinds: string;
  /** Names this graph (projection instance, version and kinds) for the worker. */
  key: string;
}

/**
 * The relation graph held in memory: built once from the database, then kept current by the
 * domain's change events, with a version that grows with every change. Restrictions to a set
 * of relation kinds are derived on demand and cached for the current version.
 */
export class GraphProjection {
  private readonly instance = randomUUID();
  private graph = createRelationGraph();
  private loaded = false;
  private stale = false;
  private versionNumber = 0;
  private readonly restricted = new Map<string, RelationGraph>();
  private readonly unsubscribe: () => void;

  constructor(private readonly databaseUrl: string) {
    this.unsubscribe = onChange((change) => this.apply(change));
  }

  get version(): number {
    this.ensureLoaded();
    return this.versionNumber;
  }

  /** The graph over the given kinds (all kinds when none are given) at the current version. */
  view(kinds?: readonly RelationKind[] | null): GraphView {
    this.ensureLoaded();
    const selected = kinds?.length ? [...new Set(kinds)].sort() : ALL_KINDS;
    const kindsKey = selected.length === ALL_KINDS.length ? 'ALL' : selected.join('+');
    let graph = kindsKey === 'ALL' ? this.graph : this.restricted.get(kindsKey);
    if (!graph) {
      graph = restrictToKinds(this.graph, new Set(selected));
      this.restricted.set(kindsKey, graph);
    }
    const version = this.versionNumber;
    return { graph, version, kinds: kindsKey, key: `${this.instance}:${version}:${kindsKey}` };
  }

  /** Reads the whole graph from the database; synchronous, so no write can interleave. */
  load(): void {
    const graph = createRelationGraph();
    readGraphSnapshot(this.databaseUrl, snapshotLoader(graph));
    this.graph = graph;
    this.loaded = true;
    this.stale = false;
    this.changed();
  }

  close(): void {
    this.unsubscribe();
  }

  private ensureLoaded(): void {
    if (!this.loaded || this.stale) this.load();
  }

  private async apply(change: Change): Promise<void> {
    if (!this.loaded) return; // the first load reads it from the database
    try {
      switch (change.type) {
        case 'relationRecorded':
          addRelation(this.graph, factsOf(change.relation));
          break;
        case 'relationsRemoved':
          for (const relation of change.relations) await this.remove(factsOf(relation));
          break;
        case 'partyCreated':
          addParty(this.graph, change.party, change.id);
          break;
        case 'partyDeleted':
          removeParty(this.graph, change.party, change.id);
          break;
      }
    } catch {
      this.stale = true; // rebuilt from the database on the next read
    }
    this.changed();
  }

  /** Removing a pair's first or last relation of a kind needs the new bounds from the database. */
  private async remove(relation: RelationFacts): Promise<void> {
    const edge = pairEdge(this.graph, relation.consumerId, relation.providerId);
    const aggregate = edge === undefined ? undefined : this.graph.getEdgeAttributes(edge).kinds[relation.kind];
    const boundsMove =
      aggregate !== undefined &&
      aggregate.count > 1 &&
      (relation.occurredAt === aggregate.firstAt || relation.occurredAt === aggregate.lastAt);
    if (!boundsMove) return removeRelation(this.graph, relation);
    const { _min, _max } = await db().relation.aggregate({
      where: { consumerId: relation.consumerId, providerId: relation.providerId, kind: relation.kind },
      _min: { occurredAt: true },
      _max: { occurredAt: true },
    });
    const remaining = _min.occurredAt && _max.occurredAt
      ? { firstAt: _min.occurredAt.getTime(), lastAt: _max.occurredAt.getTime() }
      : undefined;
    removeRelation(this.graph, relation, remaining);
  }

  private changed(): void {
    this.versionNumber++;
    this.restricted.clear();
  }
}

function factsOf(relation: Relation): RelationFacts {
  return { ...relation, occurredAt: relation.occurredAt.getTime() };
}
