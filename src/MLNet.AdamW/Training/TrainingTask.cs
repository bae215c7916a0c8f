namespace MLNet.AdamW.Training;

/// <summary>What a network learns, and so its loss and the outputs it must have (<see cref="NetworkTrainer"/>).</summary>
public enum TrainingTask
{
    /// <summary>Two classes, labels 0/1 (or Boolean); one output, a logit; binary cross-entropy.</summary>
    BinaryClassification = 1,

    /// <summary>K classes, labels 0…K−1; K outputs, logits; cross-entropy.</summary>
    MulticlassClassification = 2,

    /// <summary>A real value; one output; mean squared error.</summary>
    Regression = 3,
}
