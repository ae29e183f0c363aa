import type { SourceRuntime } from '../core';
import { httpSourceRuntime } from './http-source/runtime';

/**
 * The connector types of `periodicRegistry` (./periodic.ts) as the deployed poller
 * (functions/poller.ts) runs them: their {@link SourceRuntime} parts, by canonical type, without
 * schemas (the generator validated the config; lib/config/deployed.ts). A test checks that it lists
 * every type of `periodicRegistry`, each with the same runtime fields.
 */
export const periodicRuntimes: ReadonlyMap<string, SourceRuntime> = new Map<string, SourceRuntime>([[httpSourceRuntime.type, httpSourceRuntime as SourceRuntime]]);
