using System.Globalization;
using System.Text;
using MLNet.AdamW.Samples;

namespace MLNet.AdamW.Benchmarks.DefaultsSuite;

/// <summary>The task of a data set, which decides the trainers and the metric.</summary>
public enum SuiteTask
{
    Binary,
    Multiclass,
    Regression,
}

/// <summary>
/// One data set of the defaults suite: a CSV file in the cache folder (header; the label in the column
/// "Label"; missing values as empty fields), its task and where it comes from.
/// </summary>
/// <param name="Name">The short name used on the command line and in the table.</param>
/// <param name="Task">Binary (label true/false), multiclass (label = class name) or regression (label = number).</param>
/// <param name="Source">Where the rows come from (package and the original source).</param>
/// <param name="Standardize">Whether the numeric columns are standardized; false only for MNIST's pixels, already in [0, 1].</param>
/// <param name="TrainRows">Null: a 75/25 random split (seed 1); otherwise the first rows train and the rest test.</param>
public sealed record SuiteDataSet(string Name, SuiteTask Task, string Source, bool Standardize = true, int? TrainRows = null)
{
    /// <summary>The folder of the exported CSV files: benchmarks/DefaultsSuite/data-cache, found from the working directory up.</summary>
    public static string CacheFolder { get; set; } = FindCache();

    /// <summary>The CSV file of this set.</summary>
    public string File => Path.Combine(CacheFolder, Name + ".csv");

    /// <summary>
    /// Every set of the suite, smallest first. The five shipped sets are written to the cache from
    /// samples/Data; the others come from benchmarks/DefaultsSuite/export-data.sh.
    /// </summary>
    public static IReadOnlyList<SuiteDataSet> All { get; } =
    [
        new("penguins-sex", SuiteTask.Binary, "shipped (samples/Data): Palmer penguins, sex where known"),
        new("penguins-species", SuiteTask.Multiclass, "shipped (samples/Data): Palmer penguins"),
        new("cars", SuiteTask.Regression, "shipped (samples/Data): StatLib auto-mpg, rows with a known mileage"),
        new("house-votes-84", SuiteTask.Binary, "r-cran-mlbench HouseVotes84 (UCI Congressional Voting Records)"),
        new("boston-housing", SuiteTask.Regression, "r-cran-mlbench BostonHousing (UCI / StatLib Boston housing)"),
        new("breast-cancer", SuiteTask.Binary, "r-cran-mlbench BreastCancer (UCI Wisconsin breast cancer, original)"),
        new("pima-diabetes", SuiteTask.Binary, "r-cran-mlbench PimaIndiansDiabetes2 (UCI Pima Indians diabetes, zeros as missing)"),
        new("vehicle", SuiteTask.Multiclass, "r-cran-mlbench Vehicle (UCI Statlog vehicle silhouettes)"),
        new("concrete", SuiteTask.Regression, "r-cran-modeldata concrete (UCI concrete compressive strength)"),
        new("seattle-weather", SuiteTask.Multiclass, "shipped (samples/Data): Seattle weather 2012–2015"),
        new("ames", SuiteTask.Regression, "r-cran-modeldata ames (De Cock's Ames housing)"),
        new("credit-data", SuiteTask.Binary, "r-cran-modeldata credit_data (credit scoring, Universitat Politècnica de Catalunya)"),
        new("churn", SuiteTask.Binary, "r-cran-modeldata mlc_churn (MLC++ telecom churn)"),
        new("satellite", SuiteTask.Multiclass, "r-cran-mlbench Satellite (UCI Statlog Landsat satellite)"),
        new("mnist", SuiteTask.Multiclass, "shipped (samples/Data): 10,000 MNIST test digits", Standardize: false, TrainRows: 8000),
        new("letter-recognition", SuiteTask.Multiclass, "r-cran-mlbench LetterRecognition (UCI letter recognition)"),
        new("diamonds", SuiteTask.Regression, "r-cran-ggplot2 diamonds"),
    ];

    private static string FindCache()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "benchmarks", "DefaultsSuite");
            if (Directory.Exists(candidate))
                return Path.Combine(candidate, "data-cache");
        }
        return Path.Combine(Directory.GetCurrentDirectory(), "data-cache");
    }

    /// <summary>Writes the shipped sets into the cache in the suite's CSV form, where they are not there yet.</summary>
    public static void ExportShipped()
    {
        Directory.CreateDirectory(CacheFolder);
        var c = CultureInfo.InvariantCulture;
        string N(float v) => float.IsNaN(v) ? "" : v.ToString("R", c);
        var penguins = Datasets.Penguins();
        Write("penguins-species", "Island,BeakLength,BeakDepth,FlipperLength,BodyMass,Label",
            penguins.Select(p => $"{p.Island},{N(p.BeakLength)},{N(p.BeakDepth)},{N(p.FlipperLength)},{N(p.BodyMass)},{p.Species}"));
        Write("penguins-sex", "Species,Island,BeakLength,BeakDepth,FlipperLength,BodyMass,Label",
            penguins.Where(p => p.Sex.Length > 0)
                .Select(p => $"{p.Species},{p.Island},{N(p.BeakLength)},{N(p.BeakDepth)},{N(p.FlipperLength)},{N(p.BodyMass)},{(p.IsMale ? "true" : "false")}"));
        Write("cars", "Cylinders,Displacement,Horsepower,Weight,Acceleration,Year,Origin,Label",
            Datasets.Cars().Where(car => !float.IsNaN(car.MilesPerGallon)).Select(car =>
                $"{N(car.Cylinders)},{N(car.Displacement)},{N(car.Horsepower)},{N(car.Weight)},{N(car.Acceleration)},{N(car.Year)},{car.Origin},{N(car.MilesPerGallon)}"));
        Write("seattle-weather", "Precipitation,MaxTemperature,MinTemperature,Wind,Month,Label",
            Datasets.SeattleWeather().Select(d => $"{N(d.Precipitation)},{N(d.MaxTemperature)},{N(d.MinTemperature)},{N(d.Wind)},{N(d.Month)},{d.Weather}"));
        if (!System.IO.File.Exists(Path.Combine(CacheFolder, "mnist.csv")))
        {
            Write("mnist", string.Join(",", Enumerable.Range(0, 784).Select(i => "p" + i.ToString(c))) + ",Label",
                Datasets.Digits().Select(d => string.Join(",", d.Pixels.Select(N)) + "," + d.Label.ToString(c)));
        }
    }

    private static void Write(string name, string header, IEnumerable<string> rows)
    {
        var path = Path.Combine(CacheFolder, name + ".csv");
        var text = new StringBuilder(header).Append('\n');
        foreach (var row in rows)
            text.Append(row).Append('\n');
        var bytes = Encoding.UTF8.GetBytes(text.ToString());
        if (!System.IO.File.Exists(path) || !System.IO.File.ReadAllBytes(path).AsSpan().SequenceEqual(bytes))
            System.IO.File.WriteAllBytes(path, bytes);
    }
}
