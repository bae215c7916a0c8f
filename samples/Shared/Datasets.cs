using System.Globalization;
using System.Text.Json;
using Microsoft.ML.Data;

namespace MLNet.AdamW.Samples;

/// <summary>A Palmer penguin: four measurements, the island, the species and (not always known) the sex.</summary>
public sealed class Penguin
{
    public string Species { get; set; } = "";

    public string Island { get; set; } = "";

    /// <summary>NaN where not measured.</summary>
    public float BeakLength { get; set; }

    public float BeakDepth { get; set; }

    public float FlipperLength { get; set; }

    public float BodyMass { get; set; }

    /// <summary>"MALE", "FEMALE", or empty where unknown.</summary>
    public string Sex { get; set; } = "";

    /// <summary>The binary label of the sex task; only meaningful where <see cref="Sex"/> is known.</summary>
    public bool IsMale { get; set; }
}

/// <summary>A car of the 1970s and early 1980s (StatLib's auto-mpg).</summary>
public sealed class Car
{
    public string Name { get; set; } = "";

    /// <summary>The regression label; NaN where unknown.</summary>
    public float MilesPerGallon { get; set; }

    public float Cylinders { get; set; }

    public float Displacement { get; set; }

    /// <summary>NaN where unknown.</summary>
    public float Horsepower { get; set; }

    public float Weight { get; set; }

    public float Acceleration { get; set; }

    public float Year { get; set; }

    public string Origin { get; set; } = "";
}

/// <summary>A day of Seattle weather, 2012–2015.</summary>
public sealed class WeatherDay
{
    public float Precipitation { get; set; }

    public float MaxTemperature { get; set; }

    public float MinTemperature { get; set; }

    public float Wind { get; set; }

    /// <summary>1–12, as a number so that a network can use it.</summary>
    public float Month { get; set; }

    /// <summary>drizzle, rain, sun, snow or fog.</summary>
    public string Weather { get; set; } = "";
}

/// <summary>A 28×28 digit as 784 pixel intensities in [0, 1].</summary>
public sealed class Digit
{
    [VectorType(784)]
    public float[] Pixels { get; set; } = [];

    public uint Label { get; set; }
}

/// <summary>Reads the data sets shipped in samples/Data (provenance in samples/Data/README.md).</summary>
public static class Datasets
{
    /// <summary>The folder holding the data files next to the running binary.</summary>
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "Data");

    /// <summary>All 344 penguins; measurements missing in the source are NaN, an unknown sex is empty.</summary>
    public static IReadOnlyList<Penguin> Penguins()
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Folder, "penguins.json")));
        return document.RootElement.EnumerateArray().Select(e =>
        {
            var sex = Text(e, "Sex") is "MALE" or "FEMALE" ? Text(e, "Sex")! : "";
            return new Penguin
            {
                Species = Text(e, "Species") ?? "",
                Island = Text(e, "Island") ?? "",
                BeakLength = Number(e, "Beak Length (mm)"),
                BeakDepth = Number(e, "Beak Depth (mm)"),
                FlipperLength = Number(e, "Flipper Length (mm)"),
                BodyMass = Number(e, "Body Mass (g)"),
                Sex = sex,
                IsMale = sex == "MALE",
            };
        }).ToList();
    }

    /// <summary>All 406 cars; the model year is a number (70–82), unknown values are NaN.</summary>
    public static IReadOnlyList<Car> Cars()
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Folder, "cars.json")));
        return document.RootElement.EnumerateArray().Select(e => new Car
        {
            Name = Text(e, "Name") ?? "",
            MilesPerGallon = Number(e, "Miles_per_Gallon"),
            Cylinders = Number(e, "Cylinders"),
            Displacement = Number(e, "Displacement"),
            Horsepower = Number(e, "Horsepower"),
            Weight = Number(e, "Weight_in_lbs"),
            Acceleration = Number(e, "Acceleration"),
            Year = Text(e, "Year") is { Length: >= 4 } year ? int.Parse(year.AsSpan(0, 4), CultureInfo.InvariantCulture) - 1900 : float.NaN,
            Origin = Text(e, "Origin") ?? "",
        }).ToList();
    }

    /// <summary>The 1,461 days of Seattle weather.</summary>
    public static IReadOnlyList<WeatherDay> SeattleWeather()
    {
        var lines = File.ReadAllLines(Path.Combine(Folder, "seattle-weather.csv"));
        if (lines.Length == 0 || lines[0] != "date,precipitation,temp_max,temp_min,wind,weather")
            throw new InvalidDataException("seattle-weather.csv does not have the expected header.");
        return lines.Skip(1).Where(l => l.Length > 0).Select((line, i) =>
        {
            var f = line.Split(',');
            if (f.Length != 6)
                throw new InvalidDataException($"seattle-weather.csv, line {i + 2}: expected 6 fields, found {f.Length}.");
            return new WeatherDay
            {
                Month = int.Parse(f[0].AsSpan(5, 2), CultureInfo.InvariantCulture),
                Precipitation = float.Parse(f[1], CultureInfo.InvariantCulture),
                MaxTemperature = float.Parse(f[2], CultureInfo.InvariantCulture),
                MinTemperature = float.Parse(f[3], CultureInfo.InvariantCulture),
                Wind = float.Parse(f[4], CultureInfo.InvariantCulture),
                Weather = f[5],
            };
        }).ToList();
    }

    /// <summary>The 10,000 MNIST digits, pixels scaled to [0, 1].</summary>
    public static IReadOnlyList<Digit> Digits()
    {
        var digits = Mnist.Load(Path.Combine(Folder, "mnist-10k-images-idx3-ubyte.gz"), Path.Combine(Folder, "mnist-10k-labels-idx1-ubyte.gz"));
        var size = digits.PixelsPerImage;
        return Enumerable.Range(0, digits.Count).Select(i => new Digit
        {
            Pixels = digits.Pixels.AsSpan(i * size, size).ToArray().Select(p => p / 255f).ToArray(),
            Label = digits.Labels[i],
        }).ToList();
    }

    private static string? Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static float Number(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetSingle() : float.NaN;
}
