using System.Globalization;
using MLNet.AdamW.Data;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.AdamW.Training;

/// <summary>
/// Regression labels standardized for training: the network learns z = (y − μ)/σ, with μ and σ the
/// weighted mean and standard deviation of the training labels, and at the end σ and μ are folded
/// into its output layer (w' = σ·w, b' = σ·b + μ), so the trained network predicts y itself and
/// scoring, the model file and any export see an ordinary network.
/// </summary>
/// <remarks>
/// Why: the defaults (learning rate, initialization, weight decay) assume outputs of order 1; a label
/// in the hundreds of thousands (house prices) would need the output bias to travel that far in
/// steps of about α. A warm start's network predicts y, so it is unfolded first
/// (w = w'/σ, b = (b' − μ)/σ, with this run's μ and σ); checkpoints hold the network in z units, and
/// μ and σ are part of the setup a resumed run must match. Losses in the history are in label units (× σ²).
/// </remarks>
internal sealed record LabelScaling(double Mean, double Scale)
{
    /// <summary>No scaling (classification, or standardization turned off).</summary>
    public static LabelScaling Identity { get; } = new(0, 1);

    public bool IsIdentity => Mean == 0 && Scale == 1;

    /// <summary>The weighted mean and standard deviation of the labels; σ = 1 when they are all equal.</summary>
    public static LabelScaling Of(TabularData data)
    {
        double sum = 0, weightSum = 0;
        for (var i = 0; i < data.RowCount; i++)
        {
            var w = data.Weights?[i] ?? 1;
            sum += w * (double)data.Labels[i];
            weightSum += w;
        }
        var mean = sum / weightSum;
        double squares = 0;
        for (var i = 0; i < data.RowCount; i++)
        {
            var d = data.Labels[i] - mean;
            squares += (data.Weights?[i] ?? 1) * d * d;
        }
        var std = Math.Sqrt(squares / weightSum);
        return new LabelScaling(mean, std > 0 && double.IsFinite(std) ? std : 1);
    }

    /// <summary>The data with every label replaced by (y − μ)/σ.</summary>
    public TabularData Standardize(TabularData data)
    {
        if (IsIdentity)
            return data;
        var labels = new float[data.RowCount];
        for (var i = 0; i < labels.Length; i++)
            labels[i] = (float)((data.Labels[i] - Mean) / Scale);
        return data.WithLabels(labels);
    }

    /// <summary>A loss in z units (squared error) in label units.</summary>
    public double LossInLabelUnits(double loss) => loss * Scale * Scale;

    /// <summary>Makes the network predict y instead of z.</summary>
    public void Fold(nn.Module network) => Transform(network, Scale, Mean);

    /// <summary>Makes a network that predicts y predict z.</summary>
    public void Unfold(nn.Module network) => Transform(network, 1 / Scale, -Mean / Scale);

    public string Key => string.Create(CultureInfo.InvariantCulture, $"mean={Mean:R} std={Scale:R}");

    private void Transform(nn.Module network, double factor, double offset)
    {
        if (IsIdentity)
            return;
        var output = network.modules().OfType<Linear>().Last();
        using var noGrad = torch.no_grad();
        output.weight!.mul_(factor);
        output.bias!.mul_(factor).add_(offset);
    }
}
