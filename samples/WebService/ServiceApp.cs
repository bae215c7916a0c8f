using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.ObjectPool;
using Microsoft.ML;

namespace WebService;

/// <summary>The service: configuration, the model and its engine pool, and the endpoints.</summary>
internal static class ServiceApp
{
    /// <summary>Builds the app; the model is loaded (or trained) here, before the first request.</summary>
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Services.AddSingleton(services =>
        {
            // Relative to the content root: the project folder under `dotnet run --project`.
            var configured = services.GetRequiredService<IConfiguration>()["Model:Path"];
            var path = string.IsNullOrWhiteSpace(configured) ? "model.zip" : configured;
            var contentRoot = services.GetRequiredService<IWebHostEnvironment>().ContentRootPath;
            return PenguinModel.LoadOrTrain(path, Path.GetFullPath(path, contentRoot), services.GetRequiredService<ILoggerFactory>().CreateLogger<PenguinModel>());
        });
        // A PredictionEngine is not thread-safe: each request borrows one. The pool keeps a few per
        // core; under a burst it makes more and disposes those it cannot keep.
        builder.Services.AddSingleton<ObjectPool<PredictionEngine<PenguinFeatures, SpeciesPrediction>>>(services =>
            new DefaultObjectPoolProvider { MaximumRetained = 4 * Environment.ProcessorCount }
                .Create(new EnginePolicy(services.GetRequiredService<PenguinModel>())));
        builder.Services.AddHealthChecks().AddCheck<ModelHealthCheck>("model");

        var app = builder.Build();
        app.Services.GetRequiredService<PenguinModel>();
        var maxBatchSize = app.Configuration.GetValue("Predict:MaxBatchSize", 1000);

        app.MapPost("/predict", async (HttpRequest request, PenguinModel model, ObjectPool<PredictionEngine<PenguinFeatures, SpeciesPrediction>> pool) =>
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, request.HttpContext.RequestAborted);
            var (penguins, errors) = PenguinRequest.Parse(buffer.ToArray(), maxBatchSize, out var isBatch);
            if (errors.Count > 0)
                return Results.ValidationProblem(errors);
            var engine = pool.Get();
            try
            {
                if (!isBatch)
                    return Results.Ok(model.ToResponse(engine.Predict(penguins[0])));
                var answers = new List<PredictionResponse>(penguins.Count);
                foreach (var penguin in penguins)
                    answers.Add(model.ToResponse(engine.Predict(penguin)));
                return Results.Ok(answers);
            }
            finally
            {
                pool.Return(engine);
            }
        });
        app.MapGet("/model", (PenguinModel model) => model.Description);
        app.MapHealthChecks("/health");
        return app;
    }

    private sealed class EnginePolicy(PenguinModel model) : PooledObjectPolicy<PredictionEngine<PenguinFeatures, SpeciesPrediction>>
    {
        public override PredictionEngine<PenguinFeatures, SpeciesPrediction> Create() => model.CreateEngine();

        public override bool Return(PredictionEngine<PenguinFeatures, SpeciesPrediction> obj) => true;
    }

    /// <summary>Healthy when the model answers a known penguin with probabilities that sum to 1.</summary>
    private sealed class ModelHealthCheck(PenguinModel model, ObjectPool<PredictionEngine<PenguinFeatures, SpeciesPrediction>> pool) : IHealthCheck
    {
        private static readonly PenguinFeatures Probe = new() { Island = "Torgersen", BeakLength = 39.1f, BeakDepth = 18.7f, FlipperLength = 181, BodyMass = 3750 };

        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var engine = pool.Get();
            try
            {
                var answer = model.ToResponse(engine.Predict(Probe));
                var sum = answer.Probabilities.Values.Sum();
                return Task.FromResult(float.IsFinite(sum) && Math.Abs(sum - 1) < 1e-3
                    ? HealthCheckResult.Healthy($"{model.Description.Network}, {model.Classes.Count} classes")
                    : HealthCheckResult.Unhealthy($"The probabilities of a known penguin sum to {sum}."));
            }
            finally
            {
                pool.Return(engine);
            }
        }
    }
}
