using System.Globalization;

namespace PaperReproduction;

/// <summary>The command line: <c>[--config smoke|default|full] [--workers N] [--output DIR] [--cosine]</c>.</summary>
internal sealed record ReproductionArguments(ReproductionConfig Config, int Workers, string Output, bool Cosine, bool WorkerOnly)
{
    public const int MaxWorkers = 64;

    public static readonly string Usage =
        "Usage: PaperReproduction [--config smoke|default|full] [--workers N] [--output DIR] [--cosine]\n" +
        "  --config C   smoke (seconds), default (about 30 minutes with 2 workers), full (the paper's grid; about 13 days with 2 workers)\n" +
        $"  --workers N  worker processes sharing the study file, 1 to {MaxWorkers} (default 1); each uses one libtorch thread\n" +
        "  --output D   where the study file, figures, CSV and report go (default ./paper-reproduction/<config>);\n" +
        "               run again with the same D to resume: finished trials are not rerun\n" +
        "  --cosine     a cosine learning-rate schedule instead of the paper's constant rate";

    /// <summary>The flag a worker process gets from its parent: sweep only, no report.</summary>
    public const string WorkerFlag = "--worker-only";

    /// <summary>Parses the arguments; on failure returns null and a message naming the culprit.</summary>
    public static ReproductionArguments? Parse(IReadOnlyList<string> args, out string? error, out bool help)
    {
        ArgumentNullException.ThrowIfNull(args);
        error = null;
        help = args.Any(a => a is "-h" or "--help" or "-?");
        if (help)
            return null;
        var config = ReproductionConfig.Default;
        var workers = 1;
        string? output = null;
        bool cosine = false, workerOnly = false;
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (name is "--cosine" or WorkerFlag)
            {
                cosine |= name == "--cosine";
                workerOnly |= name == WorkerFlag;
                continue;
            }
            if (name is not ("--config" or "--workers" or "--output"))
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
            switch (name)
            {
                case "--config":
                    config = ReproductionConfig.All.FirstOrDefault(c => string.Equals(c.Name, text, StringComparison.OrdinalIgnoreCase))!;
                    if (config is null)
                    {
                        error = $"--config must be one of {string.Join(", ", ReproductionConfig.All.Select(c => c.Name))}; got '{text}'.";
                        return null;
                    }
                    break;
                case "--workers":
                    if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out workers) || workers < 1 || workers > MaxWorkers)
                    {
                        error = $"--workers must be a whole number from 1 to {MaxWorkers}; got '{text}'.";
                        return null;
                    }
                    break;
                default:
                    if (string.IsNullOrWhiteSpace(text))
                    {
                        error = "--output needs a directory.";
                        return null;
                    }
                    output = text;
                    break;
            }
        }
        output ??= Path.Combine("paper-reproduction", config.Name + (cosine ? "-cosine" : ""));
        return new ReproductionArguments(config, workers, Path.GetFullPath(output), cosine, workerOnly);
    }

    /// <summary>The arguments a worker process is started with.</summary>
    public IReadOnlyList<string> ForWorker() =>
        ["--config", Config.Name, "--output", Output, .. Cosine ? new[] { "--cosine" } : [], WorkerFlag];
}
