import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INSTALL_LME4, INSTEVAL_SHAPE, RealRatingsUnavailableError, loadInstEval } from '../../src/analytics/offline/insteval';
import { evaluateRecommender, evaluationData, methodRecommender, popularityRecommender } from '../../src/analytics/offline/evaluation';
import type { PlantedRow } from '../../src/analytics/offline/planted-data';
import { splitAtRandom } from '../../src/analytics/offline/planted-data';
import { CHOSEN_METHOD } from '../../src/analytics/graph/recommender-methods';

// Real ratings from R's lme4 package. CI installs it (.ci/run); where it is missing, loading
// fails with RealRatingsUnavailableError, whose message says what to install: no silent skip.
describe('InstEval, real lecture ratings from lme4', () => {
  let rows: PlantedRow[];

  beforeAll(() => {
    rows = loadInstEval();
  });

  it('has the documented shape: one rating per student and lecturer, 1 to 5', () => {
    expect(rows).toHaveLength(INSTEVAL_SHAPE.ratings);
    expect(new Set(rows.map((row) => row.consumer)).size).toBe(INSTEVAL_SHAPE.consumers);
    expect(new Set(rows.map((row) => row.provider)).size).toBe(INSTEVAL_SHAPE.providers);
    expect(new Set(rows.map((row) => `${row.consumer} ${row.provider}`)).size).toBe(INSTEVAL_SHAPE.ratings);
    expect(new Set(rows.map((row) => row.rating))).toEqual(new Set([1, 2, 3, 4, 5]));
    // lme4's help page: 6 semesters back (lectage 1 to 6), the timestamps' stand-in.
    expect(new Set(rows.map((row) => row.timestamp)).size).toBe(6);
  });

  it('the served recommender beats RP3β and popularity on the seeded per-consumer 80/20 split', () => {
    const { train, test } = splitAtRandom(rows, 'split');
    const { graph, heldOut } = evaluationData(train, test);
    const served = evaluateRecommender(graph, heldOut, 20, methodRecommender(graph, CHOSEN_METHOD));
    const rp3beta = evaluateRecommender(graph, heldOut, 20, methodRecommender(graph, 'RP3BETA'));
    const popularity = evaluateRecommender(graph, heldOut, 20, popularityRecommender(graph));
    expect(served.evaluatedConsumers).toBeGreaterThan(0.99 * INSTEVAL_SHAPE.consumers);
    expect(served.recall).toBeGreaterThan(rp3beta.recall);
    expect(served.ndcg).toBeGreaterThan(rp3beta.ndcg);
    expect(served.recall).toBeGreaterThan(2 * popularity.recall);
  });
});

describe('when R cannot give InstEval', () => {
  it('names the package to install when Rscript is missing', () => {
    const load = () => loadInstEval({ rscript: join(tmpdir(), 'no-such-dir', 'Rscript') });
    expect(load).toThrow(RealRatingsUnavailableError);
    expect(load).toThrow(INSTALL_LME4);
  });

  it('names the package to install when R has no lme4', () => {
    const emptyLibrary = mkdtempSync(join(tmpdir(), 'no-lme4-'));
    try {
      const load = () => loadInstEval({ env: { ...process.env, R_LIBS: emptyLibrary, R_LIBS_SITE: emptyLibrary, R_LIBS_USER: emptyLibrary } });
      expect(load).toThrow(`R has no lme4 package; install it: ${INSTALL_LME4}`);
    } finally {
      rmSync(emptyLibrary, { recursive: true, force: true });
    }
  });
});
