import { AnalyticsBusyError } from './errors';

/**
 * How many whole-graph computations each caller may have running: past its share a caller's next
 * computation waits for one of its own to finish (so other callers' work goes first), and past
 * `maxWaiting` waiting ones it is refused.
 */
export class FairShare {
  private readonly callers = new Map<string, { running: number; waiting: (() => void)[] }>();

  constructor(
    private readonly perCaller: number,
    private readonly maxWaiting: number,
  ) {}

  isFull(caller: string): boolean {
    return (this.callers.get(caller)?.running ?? 0) >= this.perCaller;
  }

  /** Resolves with a release function once `caller` may start one more computation. */
  async acquire(caller: string): Promise<() => void> {
    let share = this.callers.get(caller);
    if (!share) this.callers.set(caller, (share = { running: 0, waiting: [] }));
    if (share.running < this.perCaller) share.running++;
    else if (share.waiting.length >= this.maxWaiting) {
      throw new AnalyticsBusyError(
        `You have ${share.running} whole-graph computations running and ${share.waiting.length} waiting; wait for their answers, or ask with consistency EVENTUAL.`,
      );
    } else await new Promise<void>((resolve) => share.waiting.push(resolve)); // handed a running slot by release
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = share.waiting.shift();
      if (next) return next();
      share.running--;
      if (share.running === 0) this.callers.delete(caller);
    };
  }
}
