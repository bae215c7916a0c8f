using System.Globalization;

namespace MLNet.AdamW.Diagnostics;

/// <summary>
/// When <see cref="GradientScaleRecorder"/> records the scales of the gradients, updates and weights:
/// on the first minibatch of chosen epochs, as the paper did, and optionally every N steps.
/// </summary>
/// <example>
/// <code>
/// var options = new AdamWMulticlassTrainer.Options
/// {
///     Diagnostics = new GradientScaleDiagnosticsOptions { Epochs = [1, 10] },
/// };
/// var model = ml.MulticlassClassification.Trainers.AdamW(options).Fit(data);
/// model.Model.Diagnostics!.WriteCsv("gradient-scales.csv");
/// </code>
/// </example>
public sealed class GradientScaleDiagnosticsOptions
{
    /// <summary>The epochs (from 1) whose first minibatch is recorded.</summary>
    /// <value>Default [1]. Each ≥ 1 and at most the run's number of epochs; may be empty when <see cref="EveryNSteps"/> is set.</value>
    public IList<int> Epochs { get; set; } = [1];

    /// <summary>Also record every N-th optimizer step of the run (steps N, 2N, …, counted from 1 over the whole run).</summary>
    /// <value>Default null: only the first minibatch of each of <see cref="Epochs"/>. ≥ 1.</value>
    public int? EveryNSteps { get; set; }

    /// <summary>Checks the options; throws <see cref="ArgumentOutOfRangeException"/> naming the one out of range.</summary>
    public void Validate()
    {
        if (Epochs is null)
            throw new ArgumentOutOfRangeException(nameof(Epochs), $"{nameof(Epochs)} must not be null; give an empty list to record only every {nameof(EveryNSteps)} steps.");
        foreach (var epoch in Epochs)
        {
            if (epoch < 1)
                throw new ArgumentOutOfRangeException(nameof(Epochs), epoch, string.Create(CultureInfo.InvariantCulture,
                    $"{nameof(Epochs)} are counted from 1; it holds {epoch}."));
        }
        if (EveryNSteps is < 1)
            throw new ArgumentOutOfRangeException(nameof(EveryNSteps), EveryNSteps, string.Create(CultureInfo.InvariantCulture,
                $"{nameof(EveryNSteps)} must be null or at least 1; it was {EveryNSteps}."));
    }

    /// <summary>Also checks the epochs against the run's length, so that a typo does not record nothing.</summary>
    internal void Validate(int numberOfEpochs)
    {
        Validate();
        if (Epochs.Where(e => e > numberOfEpochs).Select(e => (int?)e).FirstOrDefault() is { } late)
            throw OutOfRange(nameof(Epochs), late, string.Create(CultureInfo.InvariantCulture,
                $"{nameof(Epochs)} holds epoch {late}, but the run trains {numberOfEpochs} epochs (NumberOfEpochs)."));
    }

    private static ArgumentOutOfRangeException OutOfRange(string name, int value, string message) => new(name, value, message);
}
