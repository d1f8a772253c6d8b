// The test harness uses the same test as explain-svc's observed shares: one implementation.
export * from '../../src/analyzers/chi-square.ts';
