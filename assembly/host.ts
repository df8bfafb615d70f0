// Functions the host provides to the engine (Wasm imports from "env").

/** Host wall clock in CLINT ticks (10 MHz) since the parallel run's origin (CTRL_START_US); parallel mode only. */
@external("env", "hostTicks")
export declare function hostTicks(): u64;
