using TorchSharp;

namespace MLNet.AdamW.Training;

/// <summary>
/// Training and <c>CreateTorchModule</c> run libtorch; scoring does not. An application that
/// references MLNet.AdamW but no TorchSharp backend package can score, and gets this message (not
/// TorchSharp's loader trace) when it does something that needs libtorch.
/// </summary>
internal static class NativeBackend
{
    private static readonly Lazy<Exception?> LoadFailure = new(() =>
    {
        try
        {
            return torch.TryInitializeDeviceType(DeviceType.CPU) ? null : new DllNotFoundException("libtorch's CPU backend could not be initialized.");
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or NotSupportedException or BadImageFormatException)
        {
            return e;
        }
    });

    /// <summary>Throws a clear <see cref="InvalidOperationException"/> if TorchSharp's native library cannot be loaded.</summary>
    /// <param name="what">What needs libtorch, e.g. "Training an AdamW network".</param>
    public static void EnsureLoaded(string what)
    {
        if (LoadFailure.Value is { } failure)
            throw new InvalidOperationException(Message(what), failure);
    }

    public static string Message(string what) =>
        $"{what} needs TorchSharp's native library (libtorch), and it could not be loaded. Add a TorchSharp backend package to the "
        + "application, e.g. <PackageReference Include=\"TorchSharp-cpu\" Version=\"0.107.0\" /> (scoring a saved model does not need one). "
        + "On Debian 12 / Ubuntu 22.04 the MLNet.AdamW.Optimizers package's build step makes the library loadable; see the inner exception for the loader's reason.";
}
