// libtorch's thread pool and random generator are process-wide: trainings of different tests must not
// run at the same time, or a seed would not give the same weights.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
