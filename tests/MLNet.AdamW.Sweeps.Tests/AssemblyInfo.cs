// libtorch's thread pool and random generator are process-wide: trials of different tests must not
// train at the same time, or a seed would not give the same weights.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
