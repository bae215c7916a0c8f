namespace MLNet.AdamW.Cli.Tests;

/// <summary>Every argument error exits with the usage code and a message that names the flag, before any trial runs.</summary>
public sealed class ArgumentErrorTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly string _csv;

    public ArgumentErrorTests()
    {
        _csv = _temp.Write("data.csv", "x1,x2,colour,Label", "1.0,2.0,red,yes", "2.0,1.5,blue,no", "0.5,,red,yes", "3.0,0.1,green,no");
    }

    /// <summary>A valid command line; each case replaces or removes one flag.</summary>
    private string[] Valid() =>
    [
        "sweep", "--dataset", _csv, "--label-col", "Label", "--has-header", "--task", "binary-classification",
        "--storage", "sqlite:" + _temp.File("sweep.db"), "--study", "s", "--strategy", "grid",
        "--set", "LearningRate=1e-3,1e-2", "--output", _temp.File("out"),
    ];

    public static TheoryData<string, string?, string, string> Cases => new()
    {
        // flag, value (null: remove the flag), the flag the message must name, a phrase it must contain
        { "--task", "clustering", "--task", "binary-classification, multiclass-classification, regression" },
        { "--strategy", "bayes", "--strategy", "grid, random, asha" },
        { "--storage", "mysql:x", "--storage", "sqlite:" },
        { "--storage", "sqlite:", "--storage", "no path" },
        { "--study", " ", "--study", "needs a name" },
        { "--dataset", "/nonexistent/data.csv", "--dataset", "does not exist" },
        { "--label-col", "Target", "--label-col", "'Target' is not in the file" },
        { "--metric", "rmse", "--metric", "is not a metric of BinaryClassification; use one of: auc (AreaUnderRocCurve)" },
        { "--set", "LearningRat=1e-3", "--set", "has no option LearningRat" },
        { "--set", "LearningRate", "--set", "is not Name=values" },
        { "--set", "LearningRate=fast", "--set", "'fast' is not a number" },
        { "--set", "WeightDecayMode=Lasso", "--set", "choose from None, L2, Decoupled, Proximal" },
        { "--set", "LearningRate=loguniform:1e-3:1e-1", "--set", "a grid needs listed values" },
        { "--set", "Seed=1,2", "--set", "set by the command line itself" },
        { "--set", "LearningRate=-1,1e-3", "--set", "LearningRate" },
        { "--set", "BatchSize=0", "--set", "BatchSize" },
        { "--trials", "0", "--trials", "at least 1" },
        { "--trials", "many", "--trials", "Cannot parse" },
        { "--workers", "0", "--workers", "at least 1" },
        { "--cv-folds", "1", "--cv-folds", "at least 2" },
        { "--validation-fraction", "1.5", "--validation-fraction", "strictly between 0 and 1" },
        { "--separator", ";;", "--separator", "not one character" },
        { "--separator", ";", "--separator", "single column" },
        { "--ignore-cols", "x9", "--ignore-cols", "'x9' is not a column" },
        { "--ignore-cols", "Label", "--ignore-cols", "is the label column" },
        { "--min-epochs", "0", "--min-epochs", "at least 1 epoch" },
        { "--reduction-factor", "1", "--reduction-factor", "at least 2" },
        { "--threads-per-worker", "0", "--threads-per-worker", "at least 1" },
        { "--stale-after", "0.5", "--stale-after", "at least 1 second" },
        { "--dataset", null, "--dataset", "required" },
        { "--set", null, "--set", "required" },
        { "--study", null, "--study", "required" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_bad_flag_exits_with_the_usage_code_naming_the_flag(string flag, string? value, string named, string phrase)
    {
        var args = Replace(Valid(), flag, value);
        var (code, _, error) = Cli.Run(args);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains(named, error, StringComparison.Ordinal);
        Assert.Contains(phrase, error, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter '", error, StringComparison.Ordinal);
        Assert.False(File.Exists(_temp.File("sweep.db")), "nothing may run (or create the store) on bad arguments");
    }

    [Fact]
    public void An_unknown_flag_is_named()
    {
        var (code, _, error) = Cli.Run([.. Valid(), "--epochs", "3"]);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--epochs", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Cross_validation_and_a_holdout_exclude_each_other()
    {
        var (code, _, error) = Cli.Run([.. Valid(), "--cv-folds", "3", "--validation-fraction", "0.2"]);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--cv-folds: give either --cv-folds or --validation-fraction", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Random_and_asha_need_the_number_of_trials()
    {
        var args = Replace(Valid(), "--strategy", "random");
        var (code, _, error) = Cli.Run(args);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--trials: --strategy random needs the number of trials", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_text_label_cannot_be_a_regression_target()
    {
        var (code, _, error) = Cli.Run(Replace(Valid(), "--task", "regression"));
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--label-col: regression needs a numeric label; 'Label' holds text such as 'no'.", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_binary_label_needs_two_values()
    {
        var csv = _temp.Write("three.csv", "x,Label", "1,a", "2,b", "3,c");
        var args = Replace(Valid(), "--dataset", csv);
        var (code, _, error) = Cli.Run(args);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--label-col: binary classification needs a label with two values; 'Label' has 3 (a, b, c). Use --task multiclass-classification.", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_grid_crosses_numeric_values_with_the_choices_of_an_enum()
    {
        var rows = new List<string> { "x1,x2,Label" };
        for (var i = 0; i < 40; i++)
            rows.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{i * 0.1},{(i * 7 % 11) * 0.3},{(i % 2 == 0 ? "yes" : "no")}"));
        var csv = _temp.Write("grid.csv", [.. rows]);
        var (code, output, error) = Cli.Run(
            "sweep", "--dataset", csv, "--label-col", "Label", "--has-header", "--task", "binary-classification",
            "--storage", "sqlite:" + _temp.File("grid.db"), "--study", "g", "--strategy", "grid",
            "--set", "LearningRate=1e-3,1e-2", "--set", "WeightDecayMode=L2,Decoupled", "--set", "NumberOfEpochs=1",
            "--output", _temp.File("out"));
        Assert.True(code == ExitCodes.Success, error);
        Assert.Contains("4/4 done: 4 complete", output, StringComparison.Ordinal);
        Assert.Equal(5, File.ReadAllLines(_temp.File("out/leaderboard.csv")).Length);
    }

    private static string[] Replace(string[] args, string flag, string? value)
    {
        var list = args.ToList();
        var at = list.IndexOf(flag);
        if (at < 0)
        {
            if (value is not null)
                list.AddRange([flag, value]);
            return [.. list];
        }
        list.RemoveRange(at, 2);
        if (value is not null)
            list.InsertRange(at, [flag, value]);
        return [.. list];
    }

    public void Dispose() => _temp.Dispose();
}
