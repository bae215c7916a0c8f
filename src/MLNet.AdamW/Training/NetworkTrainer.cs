using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.ML;
using MLNet.AdamW.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.AdamW.Training;

/// <summary>
/// The trainers' training loop as a library entry point: trains any TorchSharp module on tensors or an
/// <see cref="IDataView"/> with our optimizers, schedules, validation, early stopping and observers.
/// </summary>
/// <remarks>
/// <para>The module is trained in place, from the weights it has (initialize it, e.g. after
/// <c>torch.manual_seed</c>, before the call), and left in inference mode (<c>eval()</c>); with early
/// stopping it holds the best epoch's weights. It must be a Float32 CPU module that maps [n, f] features
/// to [n] or [n, 1] outputs (binary: logits; regression: values) or [n, K] logits (multiclass, K at
/// least the number of classes); this is checked on two rows before training. The loop is the trainers':
/// the same minibatch order for a seed, the learning rate α·η_t set on every step, divergence
/// detection, a deterministic run (see <c>TrainingLoop</c>'s remarks).</para>
/// <para>Not offered here (the ML.NET trainers have them): checkpoints and resume, warm starts from a
/// saved model, label standardization for regression.</para>
/// </remarks>
/// <example>
/// <code>
/// torch.manual_seed(1);
/// var network = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10));
/// var history = NetworkTrainer.Train(network, new TensorData(features, labels), new NetworkTrainingOptions
/// {
///     Task = TrainingTask.MulticlassClassification,
///     Optimizer = new AdamOptimizerOptions { LearningRate = 1e-3, WeightDecay = 0.5, WeightDecayMode = WeightDecayMode.Proximal },
///     LearningRateSchedule = LearningRateSchedule.Cosine,
///     NumberOfEpochs = 20,
///     BatchSize = 100,
///     Observers = { new MyGradientHistogram() },
/// }, validation: new TensorData(validationFeatures, validationLabels));
/// Console.Write(history);                                  // one line per epoch
/// </code>
/// </example>
public static class NetworkTrainer
{
    /// <summary>Trains a module on rows given as tensors.</summary>
    /// <param name="network">The module to train, in place.</param>
    /// <param name="train">The training rows.</param>
    /// <param name="options">The task, optimizer, schedule, run length and observers.</param>
    /// <param name="validation">Rows scored after each epoch (validation loss and accuracy; needed for early stopping).</param>
    /// <returns>One entry per epoch, and which epoch's weights the module holds.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the message names it.</exception>
    /// <exception cref="ArgumentException">The tensors, the module's outputs and the task do not fit together; the message says how.</exception>
    /// <exception cref="InvalidOperationException">Training diverged (the message names the epoch and the learning rate).</exception>
    /// <exception cref="OperationCanceledException"><see cref="NetworkTrainingOptions.CancellationToken"/> was cancelled.</exception>
    public static TrainingHistory Train(nn.Module<Tensor, Tensor> network, TensorData train, NetworkTrainingOptions options, TensorData? validation = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(options);
        var trainingOptions = options.ToTrainingOptions();
        trainingOptions.Validate();
        var kind = KindOf(options.Task);
        var (features, featureCount) = Features(train.Features, nameof(train));
        var outputs = OutputCount(network, train.Features, kind);
        var trainData = ToData(kind, features, featureCount, train, outputs, nameof(train));
        TabularData? validationData = null;
        if (validation is not null)
        {
            var (validationFeatures, validationCount) = Features(validation.Features, nameof(validation));
            if (validationCount != featureCount)
                throw new ArgumentException($"The validation features have {validationCount} columns and the training features {featureCount}.", nameof(validation));
            validationData = ToData(kind, validationFeatures, featureCount, validation, outputs, nameof(validation));
        }
        return Run(network, trainData, validationData, options, trainingOptions);
    }

    /// <summary>Trains a module on the rows of an <see cref="IDataView"/>, read from the columns the options name.</summary>
    /// <param name="network">The module to train, in place.</param>
    /// <param name="train">The training rows: a known-size Single vector of features, a label (Boolean, key or Single by task), optionally a Single weight.</param>
    /// <param name="options">The task, columns, optimizer, schedule, run length and observers.</param>
    /// <param name="validation">Rows scored after each epoch, with the same columns.</param>
    /// <returns>One entry per epoch, and which epoch's weights the module holds.</returns>
    /// <remarks>Rows with a missing label or a non-finite value are skipped, as the trainers skip them.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range, or a column is missing or of the wrong type; the message names it.</exception>
    /// <exception cref="ArgumentException">The module's outputs do not fit the task.</exception>
    /// <exception cref="InvalidOperationException">There are no usable rows, or training diverged.</exception>
    /// <exception cref="OperationCanceledException"><see cref="NetworkTrainingOptions.CancellationToken"/> was cancelled.</exception>
    public static TrainingHistory Train(nn.Module<Tensor, Tensor> network, IDataView train, NetworkTrainingOptions options, IDataView? validation = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(options);
        var trainingOptions = options.ToTrainingOptions();
        trainingOptions.Validate();
        var kind = KindOf(options.Task);
        var trainData = TabularDataReader.Read(train, options.FeatureColumnName, options.LabelColumnName, options.ExampleWeightColumnName, kind);
        var validationData = validation is null ? null
            : TabularDataReader.Read(validation, options.FeatureColumnName, options.LabelColumnName, options.ExampleWeightColumnName, kind, isValidation: true);
        using (var scope = torch.NewDisposeScope())
        {
            var rows = Math.Min(2, trainData.RowCount);
            var probe = trainData.CreateBatch(trainData.AllRows[..rows]).Features;
            var outputs = OutputCount(network, probe, kind);
            if (kind == LabelKind.Multiclass && outputs < trainData.ClassCount)
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"The network has {outputs} outputs but the label column '{options.LabelColumnName}' has {trainData.ClassCount} classes."), nameof(network));
        }
        return Run(network, trainData, validationData, options, trainingOptions);
    }

    private static TrainingHistory Run(
        nn.Module<Tensor, Tensor> network, TabularData train, TabularData? validation, NetworkTrainingOptions options, TrainingOptions trainingOptions)
    {
        var cancellation = options.CancellationToken;
        cancellation.ThrowIfCancellationRequested();
        var parameterCount = network.parameters().Sum(p => p.numel());
        var description = string.Create(CultureInfo.InvariantCulture, $"{network.GetName()} ({parameterCount:N0} parameters)");
        var trainable = new TrainableNetwork(network, description, description, TrainableNetwork.ContainsBatchNorm(network));
        return TrainingLoop.Train(train, validation, trainable, trainingOptions, cancellation.ThrowIfCancellationRequested, options.Log);
    }

    private static LabelKind KindOf(TrainingTask task) => task switch
    {
        TrainingTask.BinaryClassification => LabelKind.Binary,
        TrainingTask.MulticlassClassification => LabelKind.Multiclass,
        _ => LabelKind.Regression,
    };

    private static (float[] Values, int Count) Features(Tensor features, string name)
    {
        if (features.dim() != 2 || features.shape[0] < 1 || features.shape[1] < 1)
            throw new ArgumentException($"The features must be a [rows, features] tensor with at least one of each; they are [{string.Join(", ", features.shape)}].", name);
        if (!features.is_floating_point())
            throw new ArgumentException($"The features must be floating point; they are {features.dtype}.", name);
        using var scope = torch.NewDisposeScope();
        return (features.to(ScalarType.Float32).cpu().contiguous().data<float>().ToArray(), (int)features.shape[1]);
    }

    private static float[] Vector(Tensor values, long rows, string what, string name)
    {
        if (values.numel() != rows || values.dim() > 2 || (values.dim() == 2 && values.shape[1] != 1))
            throw new ArgumentException($"The {what} must be a [{rows}] tensor, one per row; they are [{string.Join(", ", values.shape)}].", name);
        using var scope = torch.NewDisposeScope();
        return values.to(ScalarType.Float32).cpu().contiguous().reshape(-1).data<float>().ToArray();
    }

    private static TabularData ToData(LabelKind kind, float[] features, int featureCount, TensorData data, int outputs, string name)
    {
        var rows = features.Length / featureCount;
        var labels = Vector(data.Labels, rows, "labels", name);
        var weights = data.Weights is null ? null : Vector(data.Weights, rows, "weights", name);
        try
        {
            return TabularData.FromArrays(kind, features, labels, featureCount, kind == LabelKind.Multiclass ? outputs : 0, weights);
        }
        catch (ArgumentException e)
        {
            var hint = kind == LabelKind.Multiclass ? string.Create(CultureInfo.InvariantCulture, $" (the network has {outputs} outputs, so class indices 0 to {outputs - 1})") : "";
            throw new ArgumentException($"The {name} data does not fit a {kind} task: {e.Message}{hint}", name, e);
        }
    }

    /// <summary>Runs the module on up to two rows in inference mode and checks its output shape against the task.</summary>
    private static int OutputCount(nn.Module<Tensor, Tensor> network, Tensor features, LabelKind kind)
    {
        using var scope = torch.NewDisposeScope();
        var wasTraining = network.training;
        network.eval();
        Tensor output;
        var rows = Math.Min(2, features.shape[0]);
        try
        {
            using var noGrad = torch.no_grad();
            output = network.forward(features[..(int)rows].to(ScalarType.Float32));
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or ExternalException)
        {
            throw new ArgumentException($"The network cannot take [{string.Join(", ", features.shape.Skip(1))}] features per row: {e.Message}", nameof(network), e);
        }
        finally
        {
            network.train(wasTraining);
        }
        var shape = string.Join(", ", output.shape);
        if (kind == LabelKind.Multiclass)
        {
            if (output.dim() != 2 || output.shape[0] != rows || output.shape[1] < 1)
                throw new ArgumentException($"For {nameof(TrainingTask.MulticlassClassification)} the network must output [rows, classes] logits; on {rows} rows it gave [{shape}].", nameof(network));
            return (int)output.shape[1];
        }
        if (output.numel() != rows || output.shape[0] != rows)
            throw new ArgumentException($"For {(kind == LabelKind.Binary ? nameof(TrainingTask.BinaryClassification) : nameof(TrainingTask.Regression))} the network must output one value per row ([rows] or [rows, 1]); on {rows} rows it gave [{shape}].", nameof(network));
        return 1;
    }
}
