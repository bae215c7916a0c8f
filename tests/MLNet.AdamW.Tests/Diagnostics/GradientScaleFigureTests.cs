using System.Xml.Linq;
using MLNet.AdamW.Data;
using MLNet.AdamW.Diagnostics;
using MLNet.AdamW.Networks;
using MLNet.AdamW.Optimizers;
using MLNet.AdamW.Sweeps.Figures;
using MLNet.AdamW.Training;
using SkiaSharp;

namespace MLNet.AdamW.Tests.Diagnostics;

/// <summary>The histogram figures render headless, as PNG and SVG, one panel per epoch and run.</summary>
public sealed class GradientScaleFigureTests
{
    private static GradientScaleDiagnostics Record(WeightDecayMode mode, bool batchNorm)
    {
        var random = new Random(4);
        var x = new float[32 * 64];
        var y = new float[32];
        for (var i = 0; i < x.Length; i++)
            x[i] = (float)(random.NextDouble() - 0.5);
        for (var r = 0; r < y.Length; r++)
            y[r] = r % 2;
        var recorder = new GradientScaleRecorder(new GradientScaleDiagnosticsOptions { Epochs = [1, 2] });
        var options = new TrainingOptions
        {
            Optimizer = new AdamOptimizerOptions { LearningRate = 1e-2, WeightDecay = 5e-4, WeightDecayMode = mode },
            NumberOfEpochs = 2,
            BatchSize = 16,
            NumberOfThreads = 1,
            Observers = [recorder],
        };
        using var network = TrainingLoop.Train(TabularData.FromArrays(LabelKind.Multiclass, x, y, 64, 2, null), null,
            new ResNetNetwork(new ImageShape(1, 8, 8), 8, 4, batchNorm, projectionShortcuts: false, 2), options).Network;
        return recorder.Diagnostics;
    }

    private static readonly Lazy<GradientScaleRun[]> s_runs = new(() =>
    [
        new("Adam-ℓ2, no BN", Record(WeightDecayMode.L2, batchNorm: false)),
        new("AdamW, no BN", Record(WeightDecayMode.Decoupled, batchNorm: false)),
        new("AdamW, BN", Record(WeightDecayMode.Decoupled, batchNorm: true)),
    ]);

    [Theory]
    [InlineData(GradientScaleQuantity.Gradient)]
    [InlineData(GradientScaleQuantity.Update)]
    [InlineData(GradientScaleQuantity.Weight)]
    public void A_png_has_a_panel_per_epoch_and_run(GradientScaleQuantity quantity)
    {
        var png = GradientScaleFigure.Render(s_runs.Value, svg: false, quantity);

        using var bitmap = SKBitmap.Decode(png);
        Assert.NotNull(bitmap);
        Assert.Equal((3 * 420, 2 * 300), (bitmap.Width, bitmap.Height));
        // Every panel has its own axes and bars: dark pixels (text, ticks, bars) in each.
        for (var row = 0; row < 2; row++)
        {
            for (var column = 0; column < 3; column++)
            {
                var drawn = 0;
                for (var py = row * 300; py < (row + 1) * 300; py += 3)
                    for (var px = column * 420; px < (column + 1) * 420; px += 3)
                        drawn += IsDark(bitmap.GetPixel(px, py)) ? 1 : 0;
                Assert.True(drawn > 100, $"panel ({row}, {column}) is blank");
            }
        }
    }

    private static bool IsDark(SKColor pixel) => pixel.Alpha == 255 && pixel.Red + pixel.Green + pixel.Blue < 400;

    [Fact]
    public void An_svg_is_a_well_formed_document_naming_each_run()
    {
        var path = Path.Combine(Path.GetTempPath(), $"gradient-scales-{Guid.NewGuid():N}.svg");
        try
        {
            GradientScaleFigure.Save(path, s_runs.Value);
            var svg = XDocument.Load(path);
            Assert.Equal("svg", svg.Root!.Name.LocalName);
            Assert.Equal("1260", svg.Root.Attribute("width")!.Value);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void An_unknown_extension_or_nothing_to_draw_fails_saying_what_to_do()
    {
        var extension = Assert.Throws<ArgumentException>(() => GradientScaleFigure.Save("figure.jpg", s_runs.Value));
        Assert.Contains(".png or .svg", extension.Message, StringComparison.Ordinal);
        var empty = Assert.Throws<ArgumentException>(() => GradientScaleFigure.Render([], svg: false));
        Assert.Equal("runs", empty.ParamName);
    }
}
