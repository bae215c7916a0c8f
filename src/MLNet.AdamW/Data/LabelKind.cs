namespace MLNet.AdamW.Data;

/// <summary>What a label column holds, and so which loss and output layer a network is trained with.</summary>
internal enum LabelKind
{
    /// <summary>A <c>Boolean</c> label; the network has one output, a logit, trained with binary cross-entropy.</summary>
    Binary = 0,

    /// <summary>A key-typed label with K values; the network has K outputs (logits), trained with cross-entropy.</summary>
    Multiclass = 1,

    /// <summary>A <c>Single</c> label; the network has one output, trained with mean squared error.</summary>
    Regression = 2,
}
