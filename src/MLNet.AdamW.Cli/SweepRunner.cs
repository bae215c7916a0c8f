using MLNet.AdamW.Training;
using Microsoft.ML;
using MLNet.AdamW.Cli.Arguments;
using MLNet.AdamW.Cli.Data;

namespace MLNet.AdamW.Cli;

internal static class SweepRunner
{
    public static int Run(SweepSettings settings, string[] args, TextWriter output, TextWriter error)
    {
        var ml = new MLContext(settings.Seed);
        var data = SweepDataset.Load(ml, settings.Dataset, settings.Separator, settings.HasHeader, settings.LabelColumn, settings.Task, settings.IgnoreColumns);
        foreach (var line in data.Describe())
            output.WriteLine(line);
        var model = data.Featurizer().Fit(data.Data);
        output.WriteLine(model.Transform(data.Data).Schema["Features"].Type);
        return 0;
    }
}
