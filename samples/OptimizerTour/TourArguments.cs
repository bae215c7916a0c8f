using System.Globalization;

namespace OptimizerTour;

/// <summary>The command line: <c>[--epochs N] [--seed S]</c>.</summary>
internal sealed record TourArguments(int Epochs, int Seed)
{
    public const int DefaultEpochs = 20;
    public const int DefaultSeed = 1;
    public const int MaxEpochs = 1000;

    public static readonly string Usage =
        "Usage: OptimizerTour [--epochs N] [--seed S]\n" +
        $"  --epochs N  passes over the 8,000 training digits, 1 to {MaxEpochs} (default {DefaultEpochs})\n" +
        $"  --seed S    seed of the initial weights and the minibatch order, 0 to {int.MaxValue} (default {DefaultSeed})";

    /// <summary>Parses the arguments; on failure returns null and a message naming the culprit.</summary>
    /// <param name="help">Set when help was asked for, in which case nothing else is parsed.</param>
    public static TourArguments? Parse(IReadOnlyList<string> args, out string? error, out bool help)
    {
        ArgumentNullException.ThrowIfNull(args);
        var epochs = DefaultEpochs;
        var seed = DefaultSeed;
        error = null;
        help = args.Any(a => a is "-h" or "--help" or "-?");
        if (help)
            return null;

        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (name is not ("--epochs" or "--seed"))
            {
                error = $"Unknown argument '{name}'.";
                return null;
            }
            if (i + 1 == args.Count)
            {
                error = $"{name} needs a value.";
                return null;
            }
            var text = args[++i];
            var (low, high) = name == "--epochs" ? (1, MaxEpochs) : (0, int.MaxValue);
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < low || value > high)
            {
                error = $"{name} must be a whole number from {low} to {high}; got '{text}'.";
                return null;
            }
            if (name == "--epochs")
                epochs = value;
            else
                seed = value;
        }
        return new TourArguments(epochs, seed);
    }
}
