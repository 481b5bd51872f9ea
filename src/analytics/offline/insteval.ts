import { spawnSync } from 'node:child_process';
import type { PlantedRow } from './planted-data';

/**
 * InstEval, real public ratings: 73,421 lecture evaluations (1 = poor to 5 = very good) by 2,972
 * students of 1,128 lecturers at ETH Zurich, shipped by the R package lme4 (GPL ≥ 2; Debian's
 * r-cran-lme4). It is read from the installed package at run time through Rscript, never copied
 * into this repository. Students are consumers and lecturers providers: each rating is one
 * relation, one per (student, lecturer) pair.
 *
 * InstEval has no timestamps. Its `lectage` says how many semesters before the survey the rated
 * lecture took place (1 to 6), so a rating's timestamp is a stand-in: the survey's semester minus
 * `lectage` semesters, from a fixed reference. Only the order means anything, and ratings from
 * the same semester tie (splitByLatest orders ties by provider key).
 */

export const INSTEVAL_SHAPE = { ratings: 73_421, consumers: 2_972, providers: 1_128 } as const;

export const INSTALL_LME4 = 'apt-get install -y --no-install-recommends r-cran-lme4';

/** InstEval cannot be read: Rscript or the lme4 package is missing, or R failed. */
export class RealRatingsUnavailableError extends Error {
  constructor(reason: string) {
    super(`cannot load the InstEval ratings: ${reason}`);
    this.name = 'RealRatingsUnavailableError';
  }
}

// The survey's semester as a fixed reference, so the same data always gives the same rows.
const SURVEY = Date.UTC(2000, 0, 1);
const SEMESTER_MS = 182 * 24 * 60 * 60 * 1000;
const LME4_MISSING = 3;

const EXPORT = `
if (!requireNamespace("lme4", quietly = TRUE)) quit(status = ${LME4_MISSING})
data(InstEval, package = "lme4")
write.table(data.frame(s = as.character(InstEval$s), d = as.character(InstEval$d), y = InstEval$y,
  lectage = as.integer(as.character(InstEval$lectage))), stdout(), sep = ",", quote = FALSE, row.names = FALSE)
`;

export interface RscriptOptions {
  /** The Rscript executable: a name on the PATH or a path. */
  rscript: string;
  /** R's environment (R_LIBS_SITE and the like decide where lme4 is looked for). */
  env: NodeJS.ProcessEnv;
}

/** Every InstEval rating as a row: consumer `student-S`, provider `lecturer-D`. */
export function loadInstEval(options: Partial<RscriptOptions> = {}): PlantedRow[] {
  return parseExport(runExport({ rscript: 'Rscript', env: process.env, ...options }));
}

function runExport({ rscript, env }: RscriptOptions): string {
  const result = spawnSync(rscript, ['--vanilla', '-e', EXPORT], { encoding: 'utf8', env, maxBuffer: 64 * 1024 * 1024 });
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    throw new RealRatingsUnavailableError(`"${rscript}" was not found; install R with lme4: ${INSTALL_LME4}`);
  }
  if (result.error) throw new RealRatingsUnavailableError(`${rscript} could not run (${result.error.message}); ${INSTALL_LME4}`);
  if (result.status === LME4_MISSING) throw new RealRatingsUnavailableError(`R has no lme4 package; install it: ${INSTALL_LME4}`);
  if (result.status !== 0) {
    throw new RealRatingsUnavailableError(`${rscript} exited with ${result.status ?? result.signal}: ${result.stderr.trim()}; check the R install (${INSTALL_LME4})`);
  }
  return result.stdout;
}

function parseExport(text: string): PlantedRow[] {
  const [header, ...lines] = text.trimEnd().split('\n');
  if (header !== 's,d,y,lectage') throw new RealRatingsUnavailableError(`R wrote the header "${header}", expected "s,d,y,lectage"`);
  return lines.map((line, index) => {
    const [student, lecturer, rating, lectage] = line.split(',');
    const [y, semestersBack] = [Number(rating), Number(lectage)];
    if (!student || !lecturer || !Number.isInteger(y) || !Number.isInteger(semestersBack)) {
      throw new RealRatingsUnavailableError(`R wrote a malformed row ${index + 2}: "${line}"`);
    }
    return { consumer: `student-${student}`, provider: `lecturer-${lecturer}`, rating: y, timestamp: SURVEY - semestersBack * SEMESTER_MS };
  });
}
