import { builder } from './builder';
import './errors';
import './relation';
import './consumer';
import './provider';

export const schema = builder.toSchema();
