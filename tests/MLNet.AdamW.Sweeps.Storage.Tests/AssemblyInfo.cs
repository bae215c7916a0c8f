// The process tests start several workers on a 2-core machine; run one class at a time so their
// timing stays far from the grace periods. The contract tests start their own threads.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
