using System.Runtime.CompilerServices;
using Microsoft.ML;

namespace MLNet.AdamW;

/// <summary>Extensions of <see cref="MLContext"/> that ML.NET keeps internal.</summary>
public static class MLContextExtensions
{
    /// <summary>
    /// Cancels what this context is running: a training in progress stops before its next
    /// minibatch with <see cref="OperationCanceledException"/>, and so does anything started
    /// with the context afterwards (ML.NET's cancellation is permanent; use a new context).
    /// </summary>
    /// <remarks>ML.NET 5.0.1 has this method on <see cref="MLContext"/> but internal; with
    /// <c>using MLNet.AdamW;</c> the same call, <c>mlContext.CancelExecution()</c>, reaches it.</remarks>
    public static void CancelExecution(this MLContext mlContext)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        CancelExecutionOf(mlContext);
    }

    // Bound by name to MLContext's own instance method at run time, never through overload
    // resolution: a call written as mlContext.CancelExecution() here would bind to this extension
    // if ML.NET renamed or removed its method, and call itself forever. If the method is gone, this
    // throws MissingMethodException instead.
    [UnsafeAccessor(UnsafeAccessorKind.Method, Name = nameof(CancelExecution))]
    private static extern void CancelExecutionOf(MLContext mlContext);
}
