// libtorch's random generator is process-wide: tests that seed it (torch.manual_seed) and then
// build networks or data must not interleave with tests in other classes, or "the same seed"
// gives different weights. Tests that exercise concurrency start their own threads.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
