using System.Security.Cryptography;
using Microsoft.ML;
using MLNet.AdamW.Training;

namespace MLNet.AdamW.Sweeps;

/// <summary>
/// What a study optimizes: a metric of ML.NET's evaluation (<see cref="SweepMetric"/>) of the pipeline
/// <c>featurization → AdamW trainer(options)</c>, or of any pipeline a factory builds from the options,
/// measured on <see cref="Data"/> by cross-validation or a holdout (<see cref="SweepEvaluation"/>).
/// </summary>
/// <remarks>
/// <para>The pipeline is built from one set of options per trial: the featurization (which the options do not
/// change) is fitted once per fold on the fold's training rows and reused by every trial, and the trainer the
/// options type makes (<c>Trainers.AdamW(options)</c>) is fitted on the featurized rows with the fold's held-out
/// rows as its validation data: they give the per-epoch validation loss that successive halving ranks trials
/// by, and the metric is measured on them. The training rows are never reduced for validation.</para>
/// <para>With a pipeline factory instead (the constructor that takes one), each trial fits the whole pipeline
/// on each fold's training rows and measures it on the held-out rows; the trainer then sees no held-out rows
/// of its own, so successive halving needs the base options to set <see cref="AdamWTrainerOptions.ValidationFraction"/>
/// (its per-epoch validation loss is what trials are ranked by; the study refuses ASHA otherwise).</para>
/// <para>The folds are those of ML.NET's <c>CrossValidationSplit</c> (what <c>CrossValidate</c> uses), seeded by
/// the study seed.</para>
/// </remarks>
/// <typeparam name="TOptions">The trainer's options type, which decides the task.</typeparam>
public sealed class SweepObjective<TOptions>
    where TOptions : AdamWTrainerOptions, new()
{
    private readonly Lock _gate = new();
    private readonly Func<TOptions, IEstimator<ITransformer>>? _pipeline;
    private string? _fingerprint;
    private (int Seed, Fold[] Folds)? _prepared;

    /// <summary>An objective over <paramref name="data"/>.</summary>
    /// <param name="mlContext">The context the pipeline is built and evaluated in.</param>
    /// <param name="data">The training data of the study (every column the featurization needs, and the label).</param>
    /// <param name="metric">The metric and its direction; its task must be the options type's.</param>
    /// <param name="featurization">The estimators before the trainer (e.g. Concatenate → NormalizeMeanVariance); null when the data already has the feature column.</param>
    /// <param name="evaluation">Cross-validation or holdout; default 5-fold cross-validation.</param>
    public SweepObjective(MLContext mlContext, IDataView data, SweepMetric metric, IEstimator<ITransformer>? featurization = null, SweepEvaluation? evaluation = null)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(metric);
        Task = TaskAdapter.TaskOf(typeof(TOptions));
        if (metric.Task != Task)
            throw new ArgumentException($"The metric {metric.Name} is a {metric.Task} metric; {typeof(TOptions).DeclaringType?.Name}.Options train for {Task}.", nameof(metric));
        MLContext = mlContext;
        Data = data;
        Metric = metric;
        Featurization = featurization;
        Evaluation = evaluation ?? SweepEvaluation.CrossValidation();
    }

    /// <summary>An objective over <paramref name="data"/> for pipelines that <paramref name="pipeline"/> builds from each trial's options.</summary>
    /// <param name="mlContext">The context the pipeline is built and evaluated in.</param>
    /// <param name="data">The training data of the study.</param>
    /// <param name="metric">The metric and its direction; its task must be the options type's.</param>
    /// <param name="pipeline">Builds the whole pipeline from one set of options, e.g.
    /// <c>o => featurize.Append(ml.BinaryClassification.Trainers.AdamW(o))</c>; it must pass the options on to the AdamW trainer it contains.</param>
    /// <param name="evaluation">Cross-validation or holdout; default 5-fold cross-validation.</param>
    public SweepObjective(MLContext mlContext, IDataView data, SweepMetric metric, Func<TOptions, IEstimator<ITransformer>> pipeline, SweepEvaluation? evaluation = null)
        : this(mlContext, data, metric, featurization: null, evaluation)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        _pipeline = pipeline;
    }

    /// <summary>Whether the pipeline comes from a factory (rather than featurization → trainer).</summary>
    public bool HasPipelineFactory => _pipeline is not null;

    /// <summary>The context.</summary>
    public MLContext MLContext { get; }

    /// <summary>The study's data.</summary>
    public IDataView Data { get; }

    /// <summary>The metric optimized.</summary>
    public SweepMetric Metric { get; }

    /// <summary>The estimators before the trainer, or null.</summary>
    public IEstimator<ITransformer>? Featurization { get; }

    /// <summary>How the metric is measured.</summary>
    public SweepEvaluation Evaluation { get; }

    /// <summary>The task, from the options type.</summary>
    public TrainingTask Task { get; }

    /// <summary>SHA-256 (hex) of the data's schema and every row as ML.NET writes them as text: equal data, equal fingerprint.</summary>
    public string DataFingerprint
    {
        get
        {
            lock (_gate)
            {
                if (_fingerprint is null)
                {
                    using var stream = new MemoryStream();
                    MLContext.Data.SaveAsText(Data, stream, separatorChar: '\t', headerRow: true, schema: true);
                    _fingerprint = Convert.ToHexStringLower(SHA256.HashData(stream.ToArray()));
                }
                return _fingerprint;
            }
        }
    }

    /// <summary>The pipeline for one set of options: the factory's, or the featurization then the trainer the options make.</summary>
    public IEstimator<ITransformer> Pipeline(TOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (_pipeline is not null)
            return _pipeline(options);
        var trainer = TaskAdapter.Trainer(MLContext, options);
        return Featurization is null ? trainer : Featurization.Append(trainer);
    }

    /// <summary>The pipeline fitted on all of <see cref="Data"/>.</summary>
    public ITransformer Refit(TOptions options) => Pipeline(options).Fit(Data);

    internal int FoldCount => Evaluation.Folds;

    /// <summary>Trains fold <paramref name="fold"/> with the options and measures the metric on its held-out rows.</summary>
    internal (double Value, TrainingHistory History) EvaluateFold(TOptions options, int seed, int fold)
    {
        var prepared = Prepare(seed)[fold];
        var (model, history) = _pipeline is null
            ? TaskAdapter.Fit(MLContext, options, prepared.Train, prepared.Test)
            : FitPipeline(options, prepared.Train);
        var metrics = TaskAdapter.Evaluate(MLContext, Task, model.Transform(prepared.Test), options.LabelColumnName);
        return (Metric.Read(metrics), history);
    }

    private (ITransformer Model, TrainingHistory History) FitPipeline(TOptions options, IDataView train)
    {
        var model = _pipeline!(options).Fit(train);
        var history = Task switch
        {
            TrainingTask.BinaryClassification => model.GetAdamWModel<AdamWBinaryModelParameters>().History,
            TrainingTask.MulticlassClassification => model.GetAdamWModel<AdamWMulticlassModelParameters>().History,
            _ => model.GetAdamWModel<AdamWRegressionModelParameters>().History,
        };
        return (model, history);
    }

    private Fold[] Prepare(int seed)
    {
        lock (_gate)
        {
            if (_prepared is { } ready && ready.Seed == seed)
                return ready.Folds;
            var splits = Evaluation.IsCrossValidation
                ? MLContext.Data.CrossValidationSplit(Data, Evaluation.Folds, Evaluation.SamplingKeyColumnName, seed)
                : [MLContext.Data.TrainTestSplit(Data, Evaluation.HoldoutFraction, Evaluation.SamplingKeyColumnName, seed)];
            var folds = splits.Select(split =>
            {
                if (Featurization is null)
                    return new Fold(split.TrainSet, split.TestSet);
                var featurizer = Featurization.Fit(split.TrainSet);
                // Cached: every trial reads the same featurized rows, and the trainer reads them once per fit.
                return new Fold(MLContext.Data.Cache(featurizer.Transform(split.TrainSet)), MLContext.Data.Cache(featurizer.Transform(split.TestSet)));
            }).ToArray();
            _prepared = (seed, folds);
            return folds;
        }
    }

    private sealed record Fold(IDataView Train, IDataView Test);
}
