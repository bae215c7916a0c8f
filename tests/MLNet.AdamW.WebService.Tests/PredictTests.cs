using System.Net;
using System.Net.Http.Json;

namespace MLNet.AdamW.WebService.Tests;

/// <summary>
/// POST /predict under concurrency: every answer must equal what one PredictionEngine over the same
/// model file predicts on a single thread, with no error (a PredictionEngine shared between
/// requests gives wrong answers and 500s; the service pools them).
/// </summary>
[Collection(SharedService.Name)]
public sealed class PredictTests(ServiceFactory service)
{
    private const int SingleRequests = 1_200;
    private const int BatchRequests = 40;
    private const int BatchSize = 25;
    private const int InFlight = 100;

    [Fact]
    public async Task Concurrent_requests_all_get_the_single_threaded_prediction()
    {
        using var client = service.CreateClient();
        var classes = (await client.GetFromJsonAsync<ModelJson>("/model"))!.Classes;
        var penguins = Penguins.Measured();
        var reference = Penguins.Reference(service.ModelPath, penguins);

        // Singles and batches interleaved, at most InFlight at a time.
        var work = Enumerable.Range(0, SingleRequests).Select(i => (Start: i * 7 % penguins.Count, Count: 0))
            .Concat(Enumerable.Range(0, BatchRequests).Select(i => (Start: i * 31 % penguins.Count, Count: BatchSize)))
            .OrderBy(w => (w.Start * 13 + w.Count) % 101).ToList();
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        var answered = 0;
        await Parallel.ForEachAsync(work, new ParallelOptions { MaxDegreeOfParallelism = InFlight }, async (w, cancel) =>
        {
            if (w.Count == 0)
            {
                using var response = await client.PostAsync("/predict", Penguins.Json(Penguins.Body(penguins[w.Start])), cancel);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    failures.Add($"penguin {w.Start}: HTTP {(int)response.StatusCode}");
                    return;
                }
                var answer = (await response.Content.ReadFromJsonAsync<PredictionJson>(cancel))!.ToAnswer(classes);
                if (!answer.SameAs(reference[w.Start]))
                    failures.Add($"penguin {w.Start}: {answer.Species} [{string.Join(", ", answer.Probabilities)}], expected {reference[w.Start].Species}");
                Interlocked.Increment(ref answered);
                return;
            }
            var indices = Enumerable.Range(w.Start, w.Count).Select(i => i % penguins.Count).ToList();
            using var batch = await client.PostAsync("/predict", Penguins.Json(indices.Select(i => Penguins.Body(penguins[i])).ToList()), cancel);
            if (batch.StatusCode != HttpStatusCode.OK)
            {
                failures.Add($"batch at {w.Start}: HTTP {(int)batch.StatusCode}");
                return;
            }
            var answers = (await batch.Content.ReadFromJsonAsync<List<PredictionJson>>(cancel))!;
            if (answers.Count != indices.Count)
                failures.Add($"batch at {w.Start}: {answers.Count} answers for {indices.Count} penguins");
            for (var k = 0; k < Math.Min(answers.Count, indices.Count); k++)
                if (!answers[k].ToAnswer(classes).SameAs(reference[indices[k]]))
                    failures.Add($"batch at {w.Start}, item {k}: not the single-threaded prediction");
            Interlocked.Increment(ref answered);
        });

        Assert.Empty(failures);
        Assert.Equal(SingleRequests + BatchRequests, answered);
    }

    [Fact]
    public async Task A_batch_answers_in_order_exactly_as_the_penguins_one_by_one()
    {
        using var client = service.CreateClient();
        var penguins = Penguins.Measured().Where((_, i) => i % 5 == 0).ToList();
        using var batch = await client.PostAsync("/predict", Penguins.Json(penguins.Select(Penguins.Body).ToList()));
        Assert.Equal(HttpStatusCode.OK, batch.StatusCode);
        var answers = (await batch.Content.ReadFromJsonAsync<List<PredictionJson>>())!;
        Assert.Equal(penguins.Count, answers.Count);
        for (var i = 0; i < penguins.Count; i++)
        {
            using var single = await client.PostAsync("/predict", Penguins.Json(Penguins.Body(penguins[i])));
            var one = (await single.Content.ReadFromJsonAsync<PredictionJson>())!;
            Assert.Equal(one.Species, answers[i].Species);
            Assert.Equal(one.Probabilities, answers[i].Probabilities);
        }
        // Every fifth penguin covers the three species, and the model tells them apart.
        Assert.Equal(["Adelie", "Chinstrap", "Gentoo"], answers.Select(a => a.Species).Distinct().Order());
    }
}

/// <summary>GET /model, as far as the tests read it.</summary>
internal sealed record ModelJson(string Task, List<string> Classes, List<string> Inputs, string Network, string Optimizer, HistoryJson History, string Source, long FileBytes);

internal sealed record HistoryJson(int Epochs, int ModelEpoch, int? BestEpoch, bool StoppedEarly, double FinalTrainLoss, double? FinalValidationLoss, double? FinalValidationAccuracy);
