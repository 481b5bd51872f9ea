/** Scores per node name. */
export type Scores = Record<string, number>;

/** Every node's score within 1e-6 relative of networkx's. */
export function expectNetworkxScores(actual: Scores, wanted: Scores) {
  expect(Object.keys(actual).sort()).toEqual(Object.keys(wanted).sort());
  for (const [node, value] of Object.entries(wanted)) {
    const error = Math.abs(actual[node] - value);
    // networkx's "zeros" (authority scores of consumers) are round-off such as -5e-18.
    if (Math.abs(value) < 1e-12) expect(error).toBeLessThan(1e-12);
    else expect(error / Math.abs(value)).toBeLessThan(1e-6);
  }
}
