using Consumer;
using Microsoft.ML;
using TorchSharp;
using Xunit;

namespace Consumer.Tests;

public class PipelineTests
{
    [Fact]
    public void TorchSharp_runs_from_the_test_output_folder()
    {
        using var sum = torch.ones(3) + torch.arange(3);

        Assert.Equal(new[] { 1f, 2f, 3f }, sum.data<float>().ToArray());
    }

    [Fact]
    public void The_pipeline_learns_penguin_sex()
    {
        torch.set_num_threads(1);
        var penguins = PenguinPipeline.Read(Path.Combine(AppContext.BaseDirectory, "penguins.json"));
        var (trainRows, testRows) = PenguinPipeline.Split(penguins);
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(trainRows);
        var test = ml.Data.LoadFromEnumerable(testRows);

        var model = PenguinPipeline.Create(ml).Fit(train);
        var metrics = ml.BinaryClassification.Evaluate(model.Transform(test), labelColumnName: "IsMale");

        Assert.True(metrics.Accuracy > 0.8, $"accuracy {metrics.Accuracy}");
    }
}
