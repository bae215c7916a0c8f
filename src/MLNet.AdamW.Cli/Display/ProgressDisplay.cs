using System.Globalization;
using Spectre.Console;

namespace MLNet.AdamW.Cli.Display;

/// <summary>
/// Shows a study's progress while its trials run: a Spectre.Console progress bar on a terminal, plain
/// time-stamped lines (one whenever the counts change) when output is redirected, under CI, or with --plain.
/// </summary>
internal static class ProgressDisplay
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>Whether the display is a live bar (else plain lines).</summary>
    public static bool IsLive(bool plain) =>
        !plain && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive
        && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"));

    /// <summary>Shows <paramref name="poll"/>'s progress until <paramref name="running"/> ends, and once more at the end.</summary>
    public static void Show(Func<StudyProgress> poll, Task running, string metric, bool plain, TextWriter output)
    {
        if (IsLive(plain))
            ShowLive(poll, running, metric);
        else
            ShowPlain(poll, running, metric, output);
    }

    private static void ShowLive(Func<StudyProgress> poll, Task running, string metric)
    {
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new SpinnerColumn())
            .Start(context =>
            {
                var task = context.AddTask("starting", maxValue: 1);
                while (true)
                {
                    var finished = running.Wait(PollInterval);
                    var progress = poll();
                    task.MaxValue = Math.Max(1, progress.Total);
                    task.Value = progress.Done;
                    task.Description = Markup.Escape(progress.Describe(metric));
                    if (finished)
                        break;
                }
            });
    }

    private static void ShowPlain(Func<StudyProgress> poll, Task running, string metric, TextWriter output)
    {
        StudyProgress? last = null;
        while (true)
        {
            var finished = running.Wait(PollInterval);
            var progress = poll();
            // A line when the counts or the best change, not for every tick of the estimate.
            if (last is null || progress with { Remaining = null } != last with { Remaining = null })
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{DateTime.Now:HH:mm:ss}] {progress.Describe(metric)}"));
                output.Flush();
            }
            last = progress;
            if (finished)
                break;
        }
    }
}
