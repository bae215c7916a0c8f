using MLNet.AdamW.Data;

namespace MLNet.AdamW.Tests.Training;

/// <summary>Small deterministic problems for the training loop.</summary>
internal static class SyntheticData
{
    /// <summary>
    /// Gaussian blobs, one per class, centred at ±separation on a few axes: linearly separable for a
    /// large separation. Binary labels are 0/1; regression labels are a smooth function of the features.
    /// </summary>
    public static TabularData Create(LabelKind kind, int rows, int features = 4, int classes = 3, double separation = 3, int seed = 0, bool weighted = false)
    {
        var random = new Random(seed);
        var x = new float[rows * features];
        var y = new float[rows];
        var w = weighted ? new float[rows] : null;
        var classCount = kind == LabelKind.Multiclass ? classes : 2;
        for (var r = 0; r < rows; r++)
        {
            var label = r % classCount;
            for (var f = 0; f < features; f++)
            {
                var centre = f % classCount == label ? separation : 0;
                x[r * features + f] = (float)(centre + Normal(random));
            }
            y[r] = kind == LabelKind.Regression
                ? (float)(Math.Sin(x[r * features]) + 0.5 * x[r * features + 1] - 0.25 * x[r * features + 2 % features])
                : label;
            if (w is not null)
                w[r] = (float)(0.5 + random.NextDouble());
        }
        return TabularData.FromArrays(kind, x, y, features, kind == LabelKind.Multiclass ? classes : 0, w);
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
