using System.Diagnostics.CodeAnalysis;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.AdamW;

/// <summary>
/// Finds the model parameters of an AdamW trainer inside a fitted pipeline, wherever the trainer
/// sits in it: the trainer is rarely the last step (a multiclass pipeline usually ends with
/// <c>MapKeyToValue</c>).
/// </summary>
public static class AdamWModelExtensions
{
    /// <summary>
    /// Returns the model parameters of type <typeparamref name="TModel"/> that a fitted pipeline holds,
    /// e.g. <c>model.GetAdamWModel&lt;AdamWMulticlassModelParameters&gt;()</c>.
    /// </summary>
    /// <remarks>
    /// Searches <paramref name="model"/> itself, the steps of every <see cref="TransformerChain{TLastTransformer}"/>
    /// (recursively, so chains appended to chains are searched too) and the <c>Model</c> of every
    /// prediction transformer, such as the <see cref="MulticlassPredictionTransformer{TModel}"/> the
    /// multiclass trainer produces. A model loaded with <c>ml.Model.Load</c> is searched the same way.
    /// </remarks>
    /// <typeparam name="TModel"><see cref="AdamWBinaryModelParameters"/>, <see cref="AdamWMulticlassModelParameters"/>
    /// or <see cref="AdamWRegressionModelParameters"/>.</typeparam>
    /// <param name="model">A fitted pipeline or transformer.</param>
    /// <exception cref="InvalidOperationException">The pipeline holds no <typeparamref name="TModel"/> (the
    /// message lists what it does hold), or more than one.</exception>
    /// <exception cref="ArgumentException"><typeparamref name="TModel"/> is not an AdamW model parameters type.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
    public static TModel GetAdamWModel<TModel>(this ITransformer model)
        where TModel : class
    {
        if (TryGetAdamWModel<TModel>(model, out var found))
            return found;
        throw new InvalidOperationException(
            $"The pipeline holds no {typeof(TModel).Name}: it holds {Describe(Steps(model))}. "
            + "Fit a pipeline with the AdamW trainer of that task (or ask for the model type of the trainer it has).");
    }

    /// <summary>
    /// Looks for the model parameters of type <typeparamref name="TModel"/> in a fitted pipeline, as
    /// <see cref="GetAdamWModel{TModel}(ITransformer)"/> does.
    /// </summary>
    /// <typeparam name="TModel">One of the AdamW model parameter types.</typeparam>
    /// <param name="model">A fitted pipeline or transformer.</param>
    /// <param name="found">The model parameters, or null when the pipeline holds none.</param>
    /// <returns>Whether the pipeline holds a <typeparamref name="TModel"/>.</returns>
    /// <exception cref="InvalidOperationException">The pipeline holds more than one <typeparamref name="TModel"/>.</exception>
    /// <exception cref="ArgumentException"><typeparamref name="TModel"/> is not an AdamW model parameters type.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
    public static bool TryGetAdamWModel<TModel>(this ITransformer model, [NotNullWhen(true)] out TModel? found)
        where TModel : class
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!IsAdamWModel(typeof(TModel)))
            throw new ArgumentException(
                $"{typeof(TModel).Name} is not an AdamW model parameters type; ask for {nameof(AdamWBinaryModelParameters)}, "
                + $"{nameof(AdamWMulticlassModelParameters)} or {nameof(AdamWRegressionModelParameters)}.", nameof(TModel));
        var matches = Steps(model).OfType<IPredictionTransformer<object>>().Select(p => p.Model).OfType<TModel>().ToList();
        if (matches.Count > 1)
            throw new InvalidOperationException(
                $"The pipeline holds {matches.Count} {typeof(TModel).Name} models; take the one you mean from its steps (e.g. LastTransformer.Model).");
        found = matches.Count == 1 ? matches[0] : null;
        return found is not null;
    }

    private static bool IsAdamWModel(Type type) =>
        type.IsAssignableTo(typeof(AdamWModelParametersBase<float>)) || type.IsAssignableTo(typeof(AdamWModelParametersBase<VBuffer<float>>));

    /// <summary>Every transformer in pipeline order, chains replaced by their steps.</summary>
    private static IEnumerable<ITransformer> Steps(ITransformer transformer)
    {
        if (transformer is IEnumerable<ITransformer> chain)
        {
            foreach (var step in chain)
                foreach (var inner in Steps(step))
                    yield return inner;
        }
        else
        {
            yield return transformer;
        }
    }

    private static string Describe(IEnumerable<ITransformer> steps)
    {
        var names = steps.Select(step => step is IPredictionTransformer<object> p ? $"{Name(step.GetType())} of {Name(p.Model.GetType())}" : Name(step.GetType())).ToList();
        return names.Count == 0 ? "no transformers (an empty chain)" : string.Join(", ", names);
    }

    private static string Name(Type type) => type.IsGenericType
        ? $"{type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)]}<{string.Join(", ", type.GetGenericArguments().Select(Name))}>"
        : type.Name;
}
