using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.AdamW.Optimizers;
using MLNet.AdamW.Tests.Trainers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.AdamW.Tests.Model;

/// <summary>
/// The trained network leaves the model as a TorchSharp module: a new one per call, in eval mode,
/// computing the model's scores; saved alone, it loads into a module built by hand from the
/// documented layout; and it trains further with our optimizers.
/// </summary>
public sealed class TorchModuleTests
{
    public static TheoryData<ExportCase> Cases() => new()
    {
        new(ExportTask.Binary, Activation.GELU, true, [16, 8]),
        new(ExportTask.Binary, Activation.ReLU, false, []),
        new(ExportTask.Multiclass, Activation.LeakyReLU, true, [16]),
        new(ExportTask.Multiclass, Activation.SiLU, false, [16]),
        new(ExportTask.Regression, Activation.Tanh, true, [16]),
        new(ExportTask.Regression, Activation.Sigmoid, false, [8, 8]),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_modules_eval_forward_gives_the_models_scores(ExportCase c)
    {
        var (parameters, features, scores) = Train(c);
        using var module = CreateModule(parameters);

        Assert.False(module.training);
        using var outputs = c.Task == ExportTask.Multiclass ? Softmax(Forward(module, features)) : Forward(module, features);
        AssertClose(scores, outputs, c.ToString());
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_saved_network_loads_into_a_module_built_from_the_documented_layout(ExportCase c)
    {
        var (parameters, features, _) = Train(c);
        using var stream = new MemoryStream();
        SaveModule(parameters, stream);
        stream.Position = 0;

        using var module = DocumentedLayout(c, features[0].Length, parameters);
        module.load(stream, strict: true);
        module.eval();
        using var created = CreateModule(parameters);
        var expectedState = created.state_dict();
        var loadedState = module.state_dict();
        Assert.Equal(expectedState.Keys.Order(), loadedState.Keys.Order());
        foreach (var (name, tensor) in expectedState)
            Assert.True(tensor.eq(loadedState[name]).all().item<bool>(), $"{name} differs after save and load");
        // Bit-identical weights; libtorch's kernels may still round a last bit differently between two modules.
        using var actual = Forward(module, features);
        AssertClose(Scores(created, features, c.Task), c.Task == ExportTask.Multiclass ? Softmax(actual.alias()) : actual.alias(), c.ToString());
    }

    [Fact]
    public void Each_call_gives_a_new_module_and_leaves_the_model_and_the_generator_alone()
    {
        var (model, features, scores) = Train(new ExportCase(ExportTask.Regression, Activation.ReLU, false, [8]));
        var parameters = (AdamWRegressionModelParameters)model;

        torch.manual_seed(11);
        using var first = parameters.CreateTorchModule();
        using var afterCreate = torch.rand(4);
        torch.manual_seed(11);
        using var untouched = torch.rand(4);
        Assert.Equal(untouched.data<float>().ToArray(), afterCreate.data<float>().ToArray());

        using (torch.no_grad())
            foreach (var p in first.parameters())
                p.zero_();
        using var second = parameters.CreateTorchModule();
        Assert.NotSame(first, second);
        using var secondOutputs = Forward(second, features);
        AssertClose(scores, secondOutputs, "a second module after zeroing the first");
    }

    [Fact]
    public void A_model_loaded_from_its_file_gives_the_same_module()
    {
        var c = new ExportCase(ExportTask.Binary, Activation.Tanh, true, [8]);
        var ml = new MLContext(seed: 1);
        var data = ExportPipelines.Data(ml, c.Task);
        var model = ExportPipelines.Fit(ml, c, data);
        using var file = new MemoryStream();
        ml.Model.Save(model, data.Schema, file);
        file.Position = 0;
        var loaded = new MLContext(seed: 5).Model.Load(file, out _).GetAdamWModel<AdamWBinaryModelParameters>();

        using (var original = new MemoryStream())
        using (var reloaded = new MemoryStream())
        {
            model.GetAdamWModel<AdamWBinaryModelParameters>().SaveTorchModule(original);
            loaded.SaveTorchModule(reloaded);
            Assert.Equal(original.ToArray(), reloaded.ToArray());
        }
        var features = TrainerData.FeatureRows(model.Transform(data));
        using var module = loaded.CreateTorchModule();
        using var outputs = Forward(module, features);
        AssertClose(TrainerData.Scores(model.Transform(data)), outputs, "the loaded model's module");
    }

    [Fact]
    public void Saving_needs_a_writable_stream()
    {
        var (model, _, _) = Train(new ExportCase(ExportTask.Regression, Activation.ReLU, false, [4]));
        var parameters = (AdamWRegressionModelParameters)model;
        using var readOnly = new MemoryStream(new byte[16], writable: false);

        Assert.Throws<ArgumentNullException>(() => parameters.SaveTorchModule(null!));
        var e = Assert.Throws<ArgumentException>(() => parameters.SaveTorchModule(readOnly));
        Assert.Equal("stream", e.ParamName);
    }

    [Fact]
    public void The_module_trains_further_with_our_optimizer()
    {
        var c = new ExportCase(ExportTask.Multiclass, Activation.ReLU, true, [16]);
        var ml = new MLContext(seed: 1);
        var data = ExportPipelines.Data(ml, c.Task);
        var model = ExportPipelines.Fit(ml, c, data, epochs: 2);
        var scored = model.Transform(data);
        var features = TrainerData.FeatureRows(scored);
        using var x = Matrix(features);
        using var y = torch.tensor(scored.GetColumn<uint>("Label").Select(k => (long)k - 1).ToArray());
        var parameters = model.GetAdamWModel<AdamWMulticlassModelParameters>();

        using var module = parameters.CreateTorchModule();
        module.train();
        using var optimizer = new AdamOptimizer(module.parameters(), new AdamOptimizerOptions { LearningRate = 1e-2 });
        var losses = new List<float>();
        for (var step = 0; step < 30; step++)
        {
            using var scope = torch.NewDisposeScope();
            optimizer.zero_grad();
            var loss = nn.functional.cross_entropy(module.forward(x), y);
            loss.backward();
            optimizer.step();
            losses.Add(loss.item<float>());
        }

        Assert.True(losses[^1] < 0.8 * losses[0], $"cross-entropy {losses[0]} → {losses[^1]}");
        // The model keeps its own weights.
        using var again = parameters.CreateTorchModule();
        using var probabilities = Softmax(Forward(again, features));
        AssertClose(TrainerData.Scores(scored), probabilities, "the model after training its module");
    }

    [Fact]
    public void A_network_trained_with_dropout_comes_back_with_its_dropout_layers_after_save_and_load()
    {
        var ml = new MLContext(seed: 1);
        var data = ExportPipelines.Data(ml, ExportTask.Binary);
        var model = ml.Transforms.Concatenate("Features", "BeakLength", "BeakDepth", "FlipperLength", "BodyMass")
            .Append(ml.Transforms.NormalizeMeanVariance("Features"))
            .Append(ml.BinaryClassification.Trainers.AdamW(new AdamWBinaryTrainer.Options
            {
                LabelColumnName = "IsMale", Network = new MlpNetworkOptions { HiddenLayers = [16, 8], Dropout = 0.25 }, NumberOfEpochs = 5, Seed = 3, NumberOfThreads = 1,
            }))
            .Fit(data);
        using var file = new MemoryStream();
        ml.Model.Save(model, data.Schema, file);
        file.Position = 0;
        var loaded = new MLContext().Model.Load(file, out _);
        var scored = loaded.Transform(data);

        using var module = loaded.GetAdamWModel<AdamWBinaryModelParameters>().CreateTorchModule();
        var dropouts = module.named_children().Where(m => m.module is Dropout).Select(m => m.name).ToList();
        Assert.Equal(["dropout1", "dropout2"], dropouts);
        using var outputs = Forward(module, TrainerData.FeatureRows(scored));
        AssertClose(TrainerData.Scores(scored), outputs, "dropout 0.25, loaded");
    }

    private static (object Model, float[][] Features, float[][] Scores) Train(ExportCase c)
    {
        var ml = new MLContext(seed: 1);
        var data = ExportPipelines.Data(ml, c.Task);
        var model = ExportPipelines.Fit(ml, c, data);
        var scored = model.Transform(data);
        object parameters = c.Task switch
        {
            ExportTask.Binary => model.GetAdamWModel<AdamWBinaryModelParameters>(),
            ExportTask.Multiclass => model.GetAdamWModel<AdamWMulticlassModelParameters>(),
            _ => model.GetAdamWModel<AdamWRegressionModelParameters>(),
        };
        return (parameters, TrainerData.FeatureRows(scored), TrainerData.Scores(scored));
    }

    private static Sequential CreateModule(object model) => model switch
    {
        AdamWBinaryModelParameters b => b.CreateTorchModule(),
        AdamWMulticlassModelParameters m => m.CreateTorchModule(),
        AdamWRegressionModelParameters r => r.CreateTorchModule(),
        _ => throw new ArgumentException(model.GetType().Name),
    };

    private static void SaveModule(object model, Stream stream)
    {
        switch (model)
        {
            case AdamWBinaryModelParameters b: b.SaveTorchModule(stream); break;
            case AdamWMulticlassModelParameters m: m.SaveTorchModule(stream); break;
            case AdamWRegressionModelParameters r: r.SaveTorchModule(stream); break;
        }
    }

    /// <summary>The layout as CreateTorchModule's documentation describes it, written out by hand.</summary>
    private static Sequential DocumentedLayout(ExportCase c, int inputs, object model)
    {
        var outputs = model is AdamWMulticlassModelParameters m ? m.ClassCount : 1;
        var modules = new List<(string, nn.Module<Tensor, Tensor>)>();
        long width = inputs;
        for (var i = 0; i < c.HiddenLayers.Length; i++)
        {
            modules.Add(($"linear{i + 1}", nn.Linear(width, c.HiddenLayers[i])));
            if (c.BatchNorm)
                modules.Add(($"norm{i + 1}", nn.BatchNorm1d(c.HiddenLayers[i])));
            modules.Add(($"activation{i + 1}", c.Activation switch
            {
                Activation.ReLU => nn.ReLU(),
                Activation.GELU => nn.GELU(),
                Activation.Tanh => nn.Tanh(),
                Activation.Sigmoid => nn.Sigmoid(),
                Activation.LeakyReLU => nn.LeakyReLU(0.01),
                _ => nn.SiLU(),
            }));
            width = c.HiddenLayers[i];
        }
        modules.Add(("output", nn.Linear(width, outputs)));
        return nn.Sequential(modules.ToArray());
    }

    private static float[][] Scores(Sequential module, float[][] features, ExportTask task)
    {
        using var outputs = task == ExportTask.Multiclass ? Softmax(Forward(module, features)) : Forward(module, features);
        var values = outputs.data<float>().ToArray();
        var width = values.Length / features.Length;
        return Enumerable.Range(0, features.Length).Select(r => values.AsSpan(r * width, width).ToArray()).ToArray();
    }

    private static Tensor Matrix(float[][] rows) =>
        torch.tensor(rows.SelectMany(r => r).ToArray(), [rows.Length, rows[0].Length]);

    private static Tensor Forward(Sequential module, float[][] features)
    {
        using var x = Matrix(features);
        using (torch.no_grad())
            return module.forward(x);
    }

    private static Tensor Softmax(Tensor logits)
    {
        using (logits)
            return torch.softmax(logits, 1);
    }

    private static void AssertClose(float[][] expected, Tensor actual, string what)
    {
        var values = actual.data<float>().ToArray();
        var width = expected[0].Length;
        Assert.Equal(expected.Length * width, values.Length);
        for (var row = 0; row < expected.Length; row++)
            for (var k = 0; k < width; k++)
                Assert.True(Math.Abs(values[row * width + k] - expected[row][k]) <= 1e-5 * Math.Max(1, Math.Abs(expected[row][k])),
                    $"{what}, row {row}, output {k}: module {values[row * width + k]}, model {expected[row][k]}");
    }
}
