import { DomainError } from '../../domain/errors';

/** The analytics worker has as much queued as it takes, or this caller has its share running. */
export class AnalyticsBusyError extends DomainError {
  constructor(message: string) {
    super(message);
    this.name = 'AnalyticsBusyError';
  }
}

/** A computation ran past its time budget and was stopped. */
export class AnalyticsTimeoutError extends DomainError {
  constructor(what: string, seconds: number, instead: string) {
    super(`${what} was stopped after its budget of ${seconds} s; ${instead}`);
    this.name = 'AnalyticsTimeoutError';
  }
}
