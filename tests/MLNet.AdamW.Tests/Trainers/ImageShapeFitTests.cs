using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.AdamW.Tests.Trainers;

/// <summary>
/// A convolutional network's image shape at Fit: missing, of the wrong size, too small for the network's
/// downsampling or contradicting a three-dimensional feature column, each fails naming the option and the
/// sizes; a three-dimensional column alone is the shape, for training and for scoring.
/// </summary>
public sealed class ImageShapeFitTests
{
    private static ArgumentException FitFails(string network, ImageShape? shape, NetworkOptions? options = null, bool shaped = false)
    {
        var ml = new MLContext(seed: 1);
        var trainerOptions = ImageData.Quick<AdamWBinaryTrainer.Options>(network, epochs: 1);
        trainerOptions.ImageShape = shape;
        if (options is not null)
            trainerOptions.Network = options;
        return Assert.ThrowsAny<ArgumentException>(() => ml.BinaryClassification.Trainers.AdamW(trainerOptions).Fit(ImageData.Binary(ml, shaped: shaped)));
    }

    [Theory]
    [InlineData("cnn", "A CNN needs ImageShape")]
    [InlineData("resnet", "A ResNet needs ImageShape")]
    public void A_convolutional_network_without_a_shape_fails_naming_the_option_and_the_vectors_size(string network, string expected)
    {
        var e = FitFails(network, shape: null);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Contains("flat vector of 64", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_shape_whose_size_is_not_the_vectors_fails_naming_both_sizes()
    {
        var e = FitFails("cnn", new ImageShape(1, 4, 4));
        Assert.Contains("ImageShape 1×4×4 has 16 values", e.Message, StringComparison.Ordinal);
        Assert.Contains("'Features' has 64", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_image_too_small_for_the_CNNs_pooling_fails_naming_the_needed_and_the_given_size()
    {
        var e = Assert.IsType<ArgumentOutOfRangeException>(FitFails("cnn", ImageData.Shape, new ConvNetNetworkOptions { Widths = [4, 4, 4, 4] }));
        Assert.Contains("4 pooling blocks", e.Message, StringComparison.Ordinal);
        Assert.Contains("at least 16×16 pixels; ImageShape is 1×8×8", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_image_too_small_for_the_ResNets_two_halvings_fails_naming_the_needed_and_the_given_size()
    {
        var e = Assert.IsType<ArgumentOutOfRangeException>(FitFails("resnet", new ImageShape(4, 2, 8)));
        Assert.Contains("at least 4×4 pixels; ImageShape is 4×2×8", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_shape_contradicting_the_columns_three_dimensions_fails_naming_both()
    {
        var e = FitFails("cnn", new ImageShape(4, 4, 4), shaped: true);
        Assert.Contains("ImageShape is 4×4×4 but the feature column 'Features' is already shaped 1×8×8", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_three_dimensional_column_is_the_shape_for_training_and_scoring()
    {
        var ml = new MLContext(seed: 1);
        var fromColumn = ImageData.Quick<AdamWBinaryTrainer.Options>("cnn-bn");
        fromColumn.ImageShape = null;
        var shapedData = ImageData.Binary(ml, shaped: true);
        var shapedModel = ml.BinaryClassification.Trainers.AdamW(fromColumn).Fit(shapedData);
        var flatData = ImageData.Binary(ml);
        var flatModel = ml.BinaryClassification.Trainers.AdamW(ImageData.Quick<AdamWBinaryTrainer.Options>("cnn-bn")).Fit(flatData);

        var expected = TrainerData.Values(flatModel.Transform(flatData), "Score");
        Assert.Equal(expected, TrainerData.Values(shapedModel.Transform(shapedData), "Score"));
        // Either model scores either layout of the same values.
        Assert.Equal(expected, TrainerData.Values(shapedModel.Transform(flatData), "Score"));
        Assert.Equal(expected, TrainerData.Values(flatModel.Transform(shapedData), "Score"));
    }
}
