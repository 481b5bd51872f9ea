import pino from 'pino';
import type { Config } from '../config';

export type Logger = pino.Logger;

export function createLogger(level: Config['logLevel']): Logger {
  return pino({ name: 'rapport', level });
}
