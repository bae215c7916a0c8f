using MLNet.AdamW.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.AdamW.Diagnostics;

/// <summary>
/// A training observer that records, on chosen minibatches, the scales of the gradients, the updates
/// and the weights: per layer and pooled, histograms of log2|g|, log2|update| and log2|x|, each
/// layer's RMS, and two spreads that say how many scales the gradients span (see
/// <see cref="GradientScaleSnapshot"/> for the definitions). It is the measurement behind the paper's
/// argument: AdamW's advantage over Adam-ℓ2 is largest where gradients span many scales.
/// </summary>
/// <remarks>
/// <para>Pass it to <see cref="NetworkTrainingOptions.Observers"/> and read <see cref="Diagnostics"/>
/// after training; the trainers create one from <see cref="AdamWTrainerOptions.Diagnostics"/> and keep
/// its result on the model (<c>model.Model.Diagnostics</c>).</para>
/// <para>Recording reads the gradients and weights and never changes them: a run trains to the same
/// bits with or without it. On a minibatch it does not record it costs one comparison; on one it does, it
/// copies every gradient and weight before the step and the weights after it, and sorts |g| once.</para>
/// <para>A recorder reused for another run starts over. A run resumed from a checkpoint records the
/// epochs it trains, not those before the checkpoint.</para>
/// </remarks>
public sealed class GradientScaleRecorder : TrainingObserver
{
    private readonly GradientScaleDiagnosticsOptions _options;
    private readonly HashSet<int> _epochs;
    private readonly int? _everyNSteps;
    private readonly List<GradientScaleSnapshot> _snapshots = [];

    /// <summary>A recorder for the first minibatch of epoch 1 only.</summary>
    public GradientScaleRecorder()
        : this(new GradientScaleDiagnosticsOptions())
    {
    }

    /// <summary>A recorder for the minibatches the options choose.</summary>
    /// <param name="options">The epochs and the step interval; copied, so later changes do not affect this recorder.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the message names it.</exception>
    public GradientScaleRecorder(GradientScaleDiagnosticsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = new GradientScaleDiagnosticsOptions { Epochs = [.. options.Epochs], EveryNSteps = options.EveryNSteps };
        _epochs = [.. options.Epochs];
        _everyNSteps = options.EveryNSteps;
    }

    /// <inheritdoc />
    public override bool ObservesSteps => true;

    /// <summary>What has been recorded so far, in step order (complete once training has ended).</summary>
    public GradientScaleDiagnostics Diagnostics => new([.. _snapshots]);

    /// <inheritdoc />
    /// <exception cref="ArgumentOutOfRangeException">An epoch to record is beyond the run's number of epochs.</exception>
    public override void OnTrainingStart(TrainingContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _options.Validate(context.NumberOfEpochs);
        _snapshots.Clear();
    }

    /// <inheritdoc />
    public override void OnStep(TrainingStep current)
    {
        ArgumentNullException.ThrowIfNull(current);
        if (!Records(current))
            return;
        var parameters = current.Context.Parameters;
        var names = parameters.Select(p => p.Name).ToArray();
        var gradients = new double[parameters.Count][];
        var before = new double[parameters.Count][];
        for (var l = 0; l < parameters.Count; l++)
        {
            var parameter = parameters[l].Parameter;
            gradients[l] = parameter.grad is { } grad ? Values(grad) : new double[parameter.numel()];
            before[l] = Values(parameter);
        }
        var (step, epoch, minibatch, learningRate) = (current.Step, current.Epoch, current.Minibatch, current.LearningRate);
        current.AfterStep(() =>
        {
            var updates = new double[parameters.Count][];
            for (var l = 0; l < parameters.Count; l++)
            {
                var after = Values(parameters[l].Parameter);
                var x = before[l];
                for (var i = 0; i < after.Length; i++)
                    after[i] -= x[i];
                updates[l] = after;
            }
            _snapshots.Add(GradientScaleStatistics.Snapshot(step, epoch, minibatch, learningRate, names, gradients, updates, before));
        });
    }

    private bool Records(TrainingStep current) =>
        (current.Minibatch == 1 && _epochs.Contains(current.Epoch)) || (_everyNSteps is { } n && current.Step % n == 0);

    /// <summary>A tensor's values as doubles (exact for Float32 and Float64), whatever its device and layout.</summary>
    private static double[] Values(Tensor tensor)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        return tensor.detach().to(ScalarType.Float64).cpu().contiguous().data<double>().ToArray();
    }
}
