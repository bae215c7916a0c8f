// The child-process tests start sweeps of two processes each on a 2-core machine; run one class at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
