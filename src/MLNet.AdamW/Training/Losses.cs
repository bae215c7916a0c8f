using MLNet.AdamW.Data;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MLNet.AdamW.Training;

/// <summary>
/// The training loss of each label kind, as a weighted mean over a minibatch: binary cross-entropy
/// on one logit, cross-entropy on K logits, squared error on one value.
/// </summary>
internal static class Losses
{
    /// <summary>Σ w_i·ℓ_i / Σ w_i over the batch (the plain mean when unweighted).</summary>
    public static Tensor Mean(LabelKind kind, Tensor output, in Minibatch batch)
    {
        if (batch.Weights is null)
        {
            return kind switch
            {
                LabelKind.Binary => functional.binary_cross_entropy_with_logits(output.view(-1), batch.Labels),
                LabelKind.Multiclass => functional.cross_entropy(output, batch.Labels),
                _ => functional.mse_loss(output.view(-1), batch.Labels),
            };
        }
        return kind == LabelKind.Binary
            ? functional.binary_cross_entropy_with_logits(output.view(-1), batch.Labels, batch.Weights, Reduction.Sum).div(batch.WeightSum)
            : PerRow(kind, output, batch.Labels).mul(batch.Weights).sum().div(batch.WeightSum);
    }

    /// <summary>Σ w_i·ℓ_i over the batch, as a Float32 scalar tensor (for evaluation: works in place).</summary>
    public static Tensor Sum(LabelKind kind, Tensor output, in Minibatch batch)
    {
        var perRow = PerRow(kind, output, batch.Labels);
        return batch.Weights is null ? perRow.sum() : perRow.mul_(batch.Weights).sum();
    }

    /// <summary>ℓ_i for each row: [n].</summary>
    public static Tensor PerRow(LabelKind kind, Tensor output, Tensor labels) => kind switch
    {
        LabelKind.Binary => functional.binary_cross_entropy_with_logits(output.view(-1), labels, reduction: Reduction.None),
        LabelKind.Multiclass => functional.cross_entropy(output, labels, reduction: Reduction.None),
        _ => functional.mse_loss(output.view(-1), labels, Reduction.None),
    };

    /// <summary>Σ w_i·[prediction_i = label_i] over the batch, for classification.</summary>
    public static Tensor CorrectSum(LabelKind kind, Tensor output, in Minibatch batch)
    {
        var correct = kind == LabelKind.Binary
            ? output.view(-1).gt(0).eq(batch.Labels.gt(0.5f))
            : output.argmax(1).eq(batch.Labels);
        var asFloat = correct.to_type(ScalarType.Float32);
        return batch.Weights is null ? asFloat.sum() : asFloat.mul_(batch.Weights).sum();
    }
}
