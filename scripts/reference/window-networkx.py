"""Reference values for one time window of test/fixtures/crm-graph-networkx.json, with networkx.

Relation i of the fixture occurred at 2026-01-01T00:00Z plus i days (test/analytics/windows.test.ts
records them so). Only the relations in [WINDOW_FROM, WINDOW_TO) make edges; every consumer and
provider stays a node, as in Rapport's windowed answers. Run from the repository root:

    python3 scripts/reference/window-networkx.py > test/fixtures/crm-graph-window-networkx.json
"""
import json
from datetime import datetime, timedelta, timezone

import networkx as nx

START = datetime(2026, 1, 1, tzinfo=timezone.utc)
WINDOW_FROM = datetime(2026, 2, 1, tzinfo=timezone.utc)
WINDOW_TO = datetime(2026, 4, 1, tzinfo=timezone.utc)

with open('test/fixtures/crm-graph-networkx.json') as source:
    fixture = json.load(source)

graph = nx.Graph()
graph.add_nodes_from(fixture['consumers'] + fixture['providers'])
for index, relation in enumerate(fixture['relations']):
    occurred = START + timedelta(days=index)
    if WINDOW_FROM <= occurred < WINDOW_TO:
        pair = (relation['consumer'], relation['provider'])
        if graph.has_edge(*pair):
            graph.edges[pair]['count'] += 1
        else:
            graph.add_edge(*pair, count=1)

directed = nx.DiGraph()
directed.add_nodes_from(graph.nodes)
directed.add_edges_from((a, b) if a in fixture['consumers'] else (b, a) for a, b in graph.edges)
hubs, authorities = nx.hits(directed, max_iter=10000, tol=1e-12)
components = list(nx.connected_components(graph))

print(json.dumps({
    'about': f'networkx {nx.__version__} on the fixture relations that occurred from {WINDOW_FROM.isoformat()} '
             f'to {WINDOW_TO.isoformat()} (relation i at 2026-01-01 plus i days); every party is a node. '
             'Closeness without the Wasserman-Faust correction, as Rapport computes it.',
    'window': {'from': WINDOW_FROM.isoformat(), 'to': WINDOW_TO.isoformat()},
    'expected': {
        'pagerank': nx.pagerank(graph, alpha=0.85, tol=1e-12, max_iter=10000, weight=None),
        'pagerank_weighted_by_count': nx.pagerank(graph, alpha=0.85, tol=1e-12, max_iter=10000, weight='count'),
        'degree_centrality': nx.degree_centrality(graph),
        'betweenness_normalized': nx.betweenness_centrality(graph, normalized=True),
        'closeness': nx.closeness_centrality(graph, wf_improved=False),
        'hits_hub': {node: hubs[node] for node in fixture['consumers']} | {node: 0.0 for node in fixture['providers']},
        'hits_authority': {node: authorities[node] for node in fixture['providers']} | {node: 0.0 for node in fixture['consumers']},
        'edges': graph.number_of_edges(),
        'connected_components': len(components),
        'largest_component_size': max(len(component) for component in components),
        'density': nx.density(graph),
    },
}, indent=1, sort_keys=True))
