namespace MLNet.AdamW.Optimizers;

/// <summary>
/// How an optimizer step is computed for a parameter. Both implementations apply the same update
/// rule with the same decay coefficients; they differ in which tensors they can update and how fast.
/// </summary>
/// <remarks>
/// <list type="table">
/// <listheader><term>implementation</term><description>serves</description></listheader>
/// <item><term><see cref="FusedKernel"/></term><description>contiguous Float32 and Float64 tensors on the CPU:
/// one vectorized managed pass over the parameter, its gradient and its state, in parallel over
/// chunks, with no libtorch call and no temporary.</description></item>
/// <item><term><see cref="TensorOperations"/></term><description>any floating-point parameter on any
/// device (CUDA, Float16, BFloat16, non-contiguous views): a sequence of in-place libtorch
/// operations. Float16 and BFloat16 parameters keep their state and compute their update in
/// Float32, and the result is rounded into the parameter.</description></item>
/// </list>
/// </remarks>
public enum StepImplementation
{
    /// <summary>The fused kernel for every parameter it can update (contiguous Float32/Float64 on the CPU), tensor operations for the others.</summary>
    Auto = 0,

    /// <summary>The fused managed kernel only; a parameter it cannot update is refused when the optimizer is built.</summary>
    FusedKernel = 1,

    /// <summary>libtorch tensor operations for every parameter, also those the fused kernel could update.</summary>
    TensorOperations = 2,
}
