using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using MLNet.AdamW;
using MLNet.AdamW.Samples;

namespace Regression;

/// <summary>
/// Fuel economy (miles per gallon) of 1970s and early-1980s cars: the AdamW trainer with early
/// stopping on a validation set, <c>Fit(train, validation)</c>, against ML.NET's linear Sdca.
/// </summary>
internal static class Program
{
    private static readonly string[] Measurements =
        [nameof(Car.Cylinders), nameof(Car.Displacement), nameof(Car.Horsepower), nameof(Car.Weight), nameof(Car.Acceleration), nameof(Car.Year)];

    public static void Main()
    {
        Console.OutputEncoding = Encoding.UTF8;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        var mlContext = new MLContext(seed: 1);

        // Eight cars have no known mileage; without a label they can neither train nor be scored.
        var cars = mlContext.Data.FilterRowsByMissingValues(mlContext.Data.LoadFromEnumerable(Datasets.Cars()), nameof(Car.MilesPerGallon));
        var split = mlContext.Data.TrainTestSplit(cars, testFraction: 0.2, seed: 1);
        var trainValidation = mlContext.Data.TrainTestSplit(split.TrainSet, testFraction: 0.2, seed: 1);

        // Missing horsepower gets the mean, the origin (USA, Europe, Japan) is one-hot, all standardized.
        var featurizer = mlContext.Transforms.ReplaceMissingValues(Measurements.Select(c => new InputOutputColumnPair(c)).ToArray())
            .Append(mlContext.Transforms.Categorical.OneHotEncoding("OriginOneHot", nameof(Car.Origin)))
            .Append(mlContext.Transforms.Concatenate("Features", [.. Measurements, "OriginOneHot"]))
            .Append(mlContext.Transforms.NormalizeMeanVariance("Features"))
            .Append(mlContext.Transforms.CopyColumns("Label", nameof(Car.MilesPerGallon)))
            .Fit(trainValidation.TrainSet);
        var train = featurizer.Transform(trainValidation.TrainSet);
        var validation = featurizer.Transform(trainValidation.TestSet);
        var test = featurizer.Transform(split.TestSet);
        Console.WriteLine($"Cars: {Count(train)} to train, {Count(validation)} to validate (early stopping), {Count(test)} to test; {((VectorDataViewType)train.Schema["Features"].Type).Size} features.");
        Console.WriteLine();

        // Up to 300 epochs; stop when the validation loss has not improved for 20 and keep the best epoch.
        var options = new AdamWRegressionTrainer.Options
        {
            NumberOfEpochs = 300,
            EarlyStoppingPatience = 20,
            LearningRateSchedule = LearningRateSchedule.Constant, // the cosine default would plan its decay for all 300 epochs
            LearningRate = 3e-3,                                  // at a constant rate, 1e-2 makes the validation loss too noisy to stop well
            NumberOfThreads = 1,                                  // small matrices: one libtorch thread is fastest
        };
        var clock = Stopwatch.StartNew();
        var stopped = mlContext.Regression.Trainers.AdamW(options).Fit(train, validation);
        var stoppedSeconds = clock.Elapsed.TotalSeconds;
        var history = stopped.Model.History;
        Console.WriteLine($"{stopped.Model.OptimizerDescription}");
        Console.WriteLine();
        Console.WriteLine("The history, every 10th epoch and the best (losses are mean squared errors in mpg²):");
        Console.WriteLine("epoch  train loss  valid loss  learning rate");
        foreach (var epoch in history.Epochs.Where(e => e.Epoch % 10 == 0 || e.Epoch == history.BestEpoch || e.Epoch == history.Epochs.Count))
        {
            Console.WriteLine($"{epoch.Epoch,5}  {epoch.TrainLoss,10:F3}  {epoch.ValidationLoss,10:F3}  {epoch.LearningRate,13:G3}{(epoch.Epoch == history.BestEpoch ? "  best" : "")}");
        }
        Console.WriteLine(history.StoppedEarly
            ? $"Stopped early after epoch {history.Epochs.Count}; the model has the weights of epoch {history.ModelEpoch}."
            : $"Trained all {history.Epochs.Count} epochs; the model has the weights of epoch {history.ModelEpoch}.");
        Console.WriteLine();

        // The same trainer without validation data, for a fixed 100 epochs with the default cosine schedule.
        clock.Restart();
        var fixedEpochs = mlContext.Regression.Trainers.AdamW(new AdamWRegressionTrainer.Options { NumberOfEpochs = 100, NumberOfThreads = 1 }).Fit(train);
        var fixedSeconds = clock.Elapsed.TotalSeconds;

        clock.Restart();
        var sdca = mlContext.Regression.Trainers.Sdca(new SdcaRegressionTrainer.Options { NumberOfThreads = 1 }).Fit(train); // one thread: repeatable
        var sdcaSeconds = clock.Elapsed.TotalSeconds;

        Console.WriteLine("On the test cars:                                   RMSE     MAE      R²   fit (s)");
        Print("AdamW, early stopping (patience 20)", mlContext.Regression.Evaluate(stopped.Transform(test)), stoppedSeconds);
        Print("AdamW, 100 epochs, cosine schedule", mlContext.Regression.Evaluate(fixedEpochs.Transform(test)), fixedSeconds);
        Print("Sdca (linear)", mlContext.Regression.Evaluate(sdca.Transform(test)), sdcaSeconds);
        // The floor any model must beat: predict the training cars' mean mileage for every test car.
        var trainMean = train.GetColumn<float>("Label").Average();
        var testLabels = test.GetColumn<float>("Label").ToArray();
        var testMean = testLabels.Average();
        var rmse = Math.Sqrt(testLabels.Average(y => (y - trainMean) * (y - trainMean)));
        var mae = testLabels.Average(y => Math.Abs(y - trainMean));
        var rSquared = 1 - testLabels.Sum(y => (y - trainMean) * (y - trainMean)) / testLabels.Sum(y => (y - testMean) * (y - testMean));
        Console.WriteLine($"{"The training mean for every car (" + trainMean.ToString("F1", CultureInfo.InvariantCulture) + " mpg)",-48}  {rmse,7:F3}  {mae,6:F3}  {rSquared,6:F3}");
        Console.WriteLine("(RMSE and MAE in miles per gallon.)");

        long Count(IDataView data) => data.GetColumn<float>("Label").LongCount();
    }

    private static void Print(string name, RegressionMetrics metrics, double seconds) =>
        Console.WriteLine($"{name,-48}  {metrics.RootMeanSquaredError,7:F3}  {metrics.MeanAbsoluteError,6:F3}  {metrics.RSquared,6:F3}  {seconds,8:F2}");
}
