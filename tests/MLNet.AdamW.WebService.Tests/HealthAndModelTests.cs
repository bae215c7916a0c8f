using System.Net;
using System.Net.Http.Json;

namespace MLNet.AdamW.WebService.Tests;

/// <summary>GET /health, GET /model, and a model that is trained and saved when none exists, then loaded.</summary>
[Collection(SharedService.Name)]
public sealed class HealthAndModelTests(ServiceFactory service)
{
    [Fact]
    public async Task Health_is_healthy_once_the_model_answers()
    {
        using var client = service.CreateClient();
        using var response = await client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Without_a_model_file_the_service_trains_one_saves_it_and_a_second_start_loads_it()
    {
        using var client = service.CreateClient();
        var trained = (await client.GetFromJsonAsync<ModelJson>("/model"))!;
        Assert.True(File.Exists(service.ModelPath));
        Assert.Equal(new FileInfo(service.ModelPath).Length, trained.FileBytes);
        Assert.Contains("trained at start-up on the shipped penguins", trained.Source, StringComparison.Ordinal);
        Assert.StartsWith("multiclass classification", trained.Task, StringComparison.Ordinal);
        Assert.Equal(["Adelie", "Chinstrap", "Gentoo"], trained.Classes.Order());
        Assert.Equal(["Island", "BeakLength", "BeakDepth", "FlipperLength", "BodyMass"], trained.Inputs);
        // 7 inputs (four measurements, three islands one-hot) and 3 species; the hidden layers are the trainer's defaults.
        Assert.Matches(@"^MLP 7-(\d+-)*3, ", trained.Network);
        Assert.Contains("30 epochs", trained.Optimizer, StringComparison.Ordinal);
        Assert.Equal(30, trained.History.Epochs);
        Assert.Equal(30, trained.History.ModelEpoch);
        Assert.InRange(trained.History.FinalValidationAccuracy!.Value, 0.9, 1.0);

        using var second = service.SecondService();
        using var secondClient = second.CreateClient();
        var loaded = (await secondClient.GetFromJsonAsync<ModelJson>("/model"))!;
        Assert.Equal(service.ModelPath, loaded.Source);
        Assert.Equal(trained with { Source = loaded.Source }, loaded, new ModelJsonComparer());

        var penguin = Penguins.Body(Penguins.Measured()[150]);
        using var fromFirst = await client.PostAsync("/predict", Penguins.Json(penguin));
        using var fromSecond = await secondClient.PostAsync("/predict", Penguins.Json(penguin));
        Assert.Equal(await fromFirst.Content.ReadAsStringAsync(), await fromSecond.Content.ReadAsStringAsync());
    }

    /// <summary>Records holding lists compare the lists by reference; this compares what they hold.</summary>
    private sealed class ModelJsonComparer : IEqualityComparer<ModelJson>
    {
        public bool Equals(ModelJson? x, ModelJson? y) =>
            x is not null && y is not null && x.Classes.SequenceEqual(y.Classes) && x.Inputs.SequenceEqual(y.Inputs)
            && (x with { Classes = y.Classes, Inputs = y.Inputs }) == y;

        public int GetHashCode(ModelJson obj) => obj.Network.GetHashCode(StringComparison.Ordinal);
    }
}
