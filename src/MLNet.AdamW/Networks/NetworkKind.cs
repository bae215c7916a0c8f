namespace MLNet.AdamW.Networks;

/// <summary>Which network a model holds, as the model file records it (values are stored: never renumber).</summary>
internal enum NetworkKind : byte
{
    /// <summary><see cref="MlpNetwork"/>.</summary>
    Mlp = 1,

    /// <summary><see cref="ConvNetNetwork"/>.</summary>
    ConvNet = 2,

    /// <summary><see cref="ResNetNetwork"/>.</summary>
    ResNet = 3,
}
