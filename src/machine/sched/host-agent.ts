// A host-side actor the deterministic scheduler interleaves with the harts: each of its steps is one scheduling decision (patch protocols use it).

/**
 * Something the host does in steps between hart instructions. In deterministic mode the scheduler treats a ready
 * agent as one more runnable party: its seeded PRNG decides, decision by decision, whether a hart runs (for up to
 * `quantum` instructions) or the agent takes one step, so a seed fixes where every step lands, and a recorded
 * schedule replays it.
 */
export interface HostAgent {
  /** Can the agent take a step now (false while it waits for the harts)? */
  ready(): boolean;
  /** While true the harts do not run: every decision goes to the agent (a host-side stop of all harts). */
  exclusive(): boolean;
  /** Take one step. */
  step(): void;
}
