namespace MLNet.AdamW;

/// <summary>
/// Defaults shared by the options and the simple catalog overloads, chosen so that a first run on
/// standardized tabular data (mean 0, variance 1: append <c>NormalizeMeanVariance</c>) is good.
/// </summary>
/// <remarks>
/// <para>How they were chosen: on the defaults suite (benchmarks/README.md: 17 public data sets from
/// 333 to 53,940 rows — 6 binary, 6 multiclass, 5 regression; numeric, categorical, with and without
/// missing values — one featurization and split for every trainer, 3 seeds for ours), 21 candidate
/// sets of defaults were run against ML.NET's linear trainers and LightGbm. What the table said:</para>
/// <list type="bullet">
/// <item><description>Width: two hidden layers of 128 beat 64 on the larger multiclass and
/// regression sets (at 100 epochs and λ = 3e-2: letters 0.964 vs 0.944 macro accuracy, Boston
/// housing RMSE 3.84 vs 4.14) and cost nothing elsewhere.</description></item>
/// <item><description>Epochs, per task: the binary sets overfit after about 20 epochs (128-128,
/// λ = 3e-2: credit scoring AUC 0.845 at 20 epochs, 0.830 at 50; telecom churn 0.853 vs 0.836), as
/// UCI adult did in the issue that asked for the suite (10 epochs better than 50); the multiclass and
/// regression sets keep improving up to 100 (letters 0.964 vs 0.959, satellite 0.878 vs 0.862, car
/// mileage RMSE 2.75 vs 2.96).</description></item>
/// <item><description>λ = 3e-2: 1e-1 holds the large multiclass sets back (128-128, 50 epochs:
/// letters 0.936 vs 0.959, satellite 0.838 vs 0.862); on the binary sets 1e-2, 3e-2 and 1e-1 are
/// within a seed spread of each other except churn, where 1e-1 is better (0.869 vs 0.853).</description></item>
/// <item><description>No validation split and no early stopping by default: holding out 10% with a
/// patience of 5 epochs was worse on 14 of 17 sets (penguin sex AUC 0.57: on 25 validation rows the
/// loss is flat for the first epochs, and training stopped at epoch 3).</description></item>
/// <item><description>Learning rate 1e-2 and batch 32 were kept: batch 64 at 2e-2 was better nowhere
/// by more than the seed spread; 3e-3 (tried with early stopping only) lost on both regression sets
/// it ran on (car mileage RMSE 4.33 vs 3.61). The schedule (cosine to 0) was not varied.</description></item>
/// </list>
/// <para>Result: the median gap to LightGbm over the 12 classification sets is +0.23 points (the
/// target was within 1 point); ours is below the best linear trainer by more than its seed spread on
/// two sets, by every candidate tried: house votes (AUC 0.986 vs 0.997, a nearly linearly separable
/// set of 326 training rows) and vehicle silhouettes (macro accuracy 0.724 vs 0.769).</para>
/// </remarks>
public static class AdamWTrainerDefaults
{
    /// <summary>
    /// 1e-2, ten times Adam's textbook 1e-3: tabular data sets are small, so a run is a few hundred to
    /// a few thousand steps, and at 1e-3 the network underfits (measured on the shipped data with the
    /// earlier 64-64 defaults: penguin species 97.2% vs 100%, car mileage RMSE 5.76 vs 3.49 mpg). The
    /// cosine schedule anneals it to 0, which keeps the higher start safe.
    /// </summary>
    public const double LearningRate = 1e-2;

    /// <summary>
    /// 3e-2 (with learning-rate scaling, 3e-4 per step at α = 1e-2), three times PyTorch's 1e-2:
    /// chosen on the defaults suite, below 1e-1, which holds the large multiclass sets back.
    /// </summary>
    public const double WeightDecay = 3e-2;

    /// <summary>Decoupled (AdamW): keeps Adam's scale-freeness, unlike an L2 penalty.</summary>
    public const WeightDecayMode WeightDecayMode = MLNet.AdamW.WeightDecayMode.Decoupled;

    /// <summary>The width of each of the two hidden layers: 128.</summary>
    public const int HiddenLayerWidth = 128;

    /// <summary>Binary classification: 20 epochs; the suite's binary sets overfit with more.</summary>
    public const int BinaryNumberOfEpochs = 20;

    /// <summary>Multiclass classification: 100 epochs.</summary>
    public const int MulticlassNumberOfEpochs = 100;

    /// <summary>Regression: 100 epochs; fitting a continuous label keeps improving longer than accuracy does.</summary>
    public const int RegressionNumberOfEpochs = 100;

    /// <summary>32 rows per minibatch: many updates per epoch on small tabular data, still cheap per step.</summary>
    public const int BatchSize = 32;
}
