// First root-hook module of the fault tier (.mocharc.faults.json `require`, loaded before
// test/cluster/hooks.ts): the fault suite stops, restarts and pauses the bed's processes, so it
// runs its own bed instance (scripts/testbed/layout.ts, TESTBED_INSTANCE) and never disturbs a
// cluster test run sharing the default bed. No imports here: the layout reads the variable when
// it is first loaded, which must come after this line.
process.env.TESTBED_INSTANCE ||= 'faults';
export {};
