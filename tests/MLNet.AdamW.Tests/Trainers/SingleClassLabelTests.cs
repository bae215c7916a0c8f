using Microsoft.ML;
using MLNet.AdamW.Samples;

namespace MLNet.AdamW.Tests.Trainers;

/// <summary>
/// A multiclass label with one class would train a constant predictor and fail only later, in
/// Evaluate: Fit refuses it, naming the label column and the class, as the binary trainer does.
/// </summary>
public sealed class SingleClassLabelTests
{
    private static AdamWMulticlassTrainer Trainer(MLContext ml) =>
        ml.MulticlassClassification.Trainers.AdamW(TrainerData.Quick<AdamWMulticlassTrainer.Options>(epochs: 2));

    private static IDataView Featurize(MLContext ml, IDataView keyed) => Featurization.PenguinFeatures(ml).Fit(keyed).Transform(keyed);

    [Fact]
    public void A_key_type_with_one_value_is_refused_at_Fit_naming_the_column_and_the_class()
    {
        var ml = new MLContext(seed: 1);
        var adelie = ml.Data.LoadFromEnumerable(TrainerData.Penguins.Where(p => p.Species == "Adelie").ToList());
        var keyed = ml.Transforms.Conversion.MapValueToKey("Species", nameof(Penguin.Species)).Fit(adelie).Transform(adelie);
        var data = Featurize(ml, keyed);
        var options = TrainerData.Quick<AdamWMulticlassTrainer.Options>(epochs: 2);
        options.LabelColumnName = "Species";

        var e = Assert.Throws<InvalidOperationException>(() => ml.MulticlassClassification.Trainers.AdamW(options).Fit(data));
        Assert.Contains("single class", e.Message, StringComparison.Ordinal);
        Assert.Contains("label 'Species' is 'Adelie' (key 1) in all 152 usable rows", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Training_rows_of_one_class_of_several_are_refused_too()
    {
        // The key knows three species, but the rows left after a filter are all Gentoo.
        var ml = new MLContext(seed: 1);
        var all = TrainerData.PenguinSpecies(ml);
        var gentoo = ml.Data.FilterByCustomPredicate<SpeciesRow>(all, row => row.Species != "Gentoo");
        var e = Assert.Throws<InvalidOperationException>(() => Trainer(ml).Fit(gentoo));
        Assert.Contains("label 'Label' is 'Gentoo' (key ", e.Message, StringComparison.Ordinal);
        Assert.Contains($") in all {TrainerData.Penguins.Count(p => p.Species == "Gentoo")} usable rows", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validation_data_of_one_class_is_allowed()
    {
        var ml = new MLContext(seed: 1);
        var all = TrainerData.PenguinSpecies(ml);
        var chinstrap = ml.Data.FilterByCustomPredicate<SpeciesRow>(all, row => row.Species != "Chinstrap");
        var model = Trainer(ml).Fit(all, chinstrap).Model;
        Assert.Equal(2, model.History.Epochs.Count);
        Assert.NotNull(model.History.Epochs[^1].ValidationLoss);
    }

    /// <summary>The column a filter reads: true removes the row.</summary>
    private sealed class SpeciesRow
    {
        public string Species { get; set; } = "";
    }
}
