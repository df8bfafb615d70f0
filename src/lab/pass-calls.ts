// How many times one pass of the synthetic kernel's workload calls each traced function (by site ip): what an exact trace of a pass must hold.
import { dynamicCallCounts } from '../workload/call-graph.js';
import type { Lab } from './lab.js';

/** Calls one workload pass makes to each traced function, by site ip (0 for functions the pass never calls). */
export function callsPerPass(lab: Lab): (ip: number) => number {
  const k = lab.guest.image!.kernel;
  const counts = dynamicCallCounts(k.graph);
  const byName = new Map(k.functions.map((f, i) => [f.name, counts[i]!]));
  const byIp = new Map(lab.ftrace.records().map((r) => [r.ip, byName.get(r.symbol) ?? 0]));
  return (ip) => byIp.get(ip) ?? 0;
}
