using Microsoft.ML.Data;
using Microsoft.ML.Model.OnnxConverter;

namespace MLNet.AdamW.Model;

/// <summary>
/// Writes a trained network into the ONNX graph ML.NET's <c>ConvertToOnnx</c> is building: the same
/// layers as <see cref="ManagedForward"/> (batch norm folded), then the task's probabilities and
/// predicted label exactly as managed scoring computes them.
/// </summary>
/// <remarks>
/// Only operators of the default ONNX domain in every opset ML.NET exports (9 to 12) are used: Gemm,
/// Relu, LeakyRelu, Tanh, Sigmoid, Erf, Mul, Add, Softmax, ArgMax, Cast, and Max/Min for the
/// probability clamp (Clip takes its limits as inputs only from opset 11). The convolutional networks
/// are written by <see cref="OnnxConvolutionExport"/> (Reshape, Conv, BatchNormalization, Relu, MaxPool,
/// Add, GlobalAveragePool, Flatten, Gemm, and Slice and Pad for option-A shortcuts, which need opset 11);
/// the probabilities and labels after them are the same as here.
/// </remarks>
internal static class OnnxExport
{
    private const string DefaultDomain = "";

    /// <summary>The ONNX opset the export needs at least (Erf).</summary>
    public const int MinimumOpSet = 9;

    /// <summary>Writes the network from <paramref name="features"/> ([N, inputs]) to <paramref name="output"/> ([N, outputs]).</summary>
    public static void Network(OnnxContext ctx, IReadOnlyList<DenseLayer> layers, string features, string output, string owner)
    {
        ctx.CheckOpSetVersion(MinimumOpSet, owner);
        var current = features;
        for (var i = 0; i < layers.Count; i++)
        {
            var layer = layers[i];
            var last = i == layers.Count - 1;
            var weights = ctx.AddInitializer(layer.Weights, [layer.Outputs, layer.Inputs], "Weights");
            var bias = ctx.AddInitializer(layer.Bias, [layer.Outputs], "Bias");
            var affine = last && layer.Activation == LayerActivation.Identity ? output : Intermediate(ctx, "Affine");
            // y = x·Wᵀ + b with W stored row-major as [outputs, inputs].
            Node(ctx, "Gemm", [current, weights, bias], affine).AddAttribute("transB", 1L);
            current = layer.Activation == LayerActivation.Identity
                ? affine
                : Activate(ctx, layer, affine, last ? output : Intermediate(ctx, "Activation"));
        }
    }

    /// <summary>The binary probability: the clamped σ(score) (see <see cref="Probabilities"/>).</summary>
    public static void ClampedSigmoid(OnnxContext ctx, string score, string probability)
    {
        var sigmoid = Intermediate(ctx, "Sigmoid");
        Node(ctx, "Sigmoid", [score], sigmoid);
        Clamp(ctx, sigmoid, probability);
    }

    /// <summary>The multiclass scores: the clamped softmax of the logits over the class axis, not renormalised.</summary>
    public static void ClampedSoftmax(OnnxContext ctx, string logits, string scores)
    {
        var softmax = Intermediate(ctx, "Softmax");
        // Up to opset 12 Softmax flattens to 2-D at axis; the logits are [N, K], so this is per row.
        Node(ctx, "Softmax", [logits], softmax).AddAttribute("axis", 1L);
        Clamp(ctx, softmax, scores);
    }

    /// <summary>
    /// The multiclass predicted label as ML.NET computes it: the first class of highest score, as a
    /// 1-based key (UInt32; 0 is the missing key).
    /// </summary>
    public static void PredictedKey(OnnxContext ctx, string scores, string predictedLabel)
    {
        var index = Intermediate(ctx, "ArgMax");
        var argMax = Node(ctx, "ArgMax", [scores], index);
        argMax.AddAttribute("axis", 1L);
        argMax.AddAttribute("keepdims", 1L);
        var key = Intermediate(ctx, "Key");
        Node(ctx, "Add", [index, ctx.AddInitializer(1L, "One")], key);
        Node(ctx, "Cast", [key], predictedLabel).AddAttribute("to", typeof(uint));
    }

    private static string Activate(OnnxContext ctx, DenseLayer layer, string x, string y)
    {
        switch (layer.Activation)
        {
            case LayerActivation.ReLU:
                Node(ctx, "Relu", [x], y);
                break;
            case LayerActivation.LeakyReLU:
                Node(ctx, "LeakyRelu", [x], y).AddAttribute("alpha", (double)layer.NegativeSlope);
                break;
            case LayerActivation.Tanh:
                Node(ctx, "Tanh", [x], y);
                break;
            case LayerActivation.Sigmoid:
                Node(ctx, "Sigmoid", [x], y);
                break;
            case LayerActivation.SiLU:
                var sigmoid = Intermediate(ctx, "Sigmoid");
                Node(ctx, "Sigmoid", [x], sigmoid);
                Node(ctx, "Mul", [x, sigmoid], y);
                break;
            case LayerActivation.GELU:
                // The exact GELU, as managed scoring and TorchSharp's default: x·(1 + erf(x/√2))/2.
                var scaled = Intermediate(ctx, "Scaled");
                Node(ctx, "Mul", [x, ctx.AddInitializer((float)(1 / Math.Sqrt(2)), "InverseSqrt2")], scaled);
                var erf = Intermediate(ctx, "Erf");
                Node(ctx, "Erf", [scaled], erf);
                var onePlus = Intermediate(ctx, "OnePlusErf");
                Node(ctx, "Add", [erf, ctx.AddInitializer(1f, "One")], onePlus);
                var product = Intermediate(ctx, "Product");
                Node(ctx, "Mul", [x, onePlus], product);
                Node(ctx, "Mul", [product, ctx.AddInitializer(0.5f, "Half")], y);
                break;
            default:
                throw new InvalidOperationException($"Activation {layer.Activation} has no ONNX form.");
        }
        return y;
    }

    private static void Clamp(OnnxContext ctx, string input, string output)
    {
        var floored = Intermediate(ctx, "AtLeastFloor");
        Node(ctx, "Max", [input, ctx.AddInitializer(Probabilities.Floor, "ProbabilityFloor")], floored);
        Node(ctx, "Min", [floored, ctx.AddInitializer(Probabilities.Ceiling, "ProbabilityCeiling")], output);
    }

    /// <summary>A new variable of the graph, its type left for ONNX Runtime to infer.</summary>
    internal static string Intermediate(OnnxContext ctx, string name) => ctx.AddIntermediateVariable(null, name, skip: true);

    /// <summary>A node of the default ONNX domain, uniquely named after its operator.</summary>
    internal static OnnxNode Node(OnnxContext ctx, string opType, string[] inputs, string output) =>
        ctx.CreateNode(opType, inputs, [output], ctx.GetNodeName(opType), DefaultDomain);
}
