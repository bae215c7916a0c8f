using MLNet.AdamW.Networks;
using MLNet.AdamW.Training;
using TorchSharp;
using TorchSharp.Modules;

namespace MLNet.AdamW.Model;

/// <summary>
/// Rebuilds a trained network as a TorchSharp module from its definition and named tensors. With the
/// libtorch scorer, the only place where a model (as opposed to a trainer) calls into libtorch, so that
/// an application that only scores MLPs never loads it.
/// </summary>
internal static class TorchModule
{
    // Building draws initial weights from libtorch's process-wide generator; two builds at once must
    // not interleave their save and restore of its state.
    private static readonly Lock GeneratorLock = new();

    public static Sequential Create(ModelContent content) =>
        Create(content.Network, content.Tensors, "CreateTorchModule");

    /// <summary>
    /// The network in eval mode holding the tensors. The caller's generator is left as it was: the
    /// build seeds and draws initial weights that the tensors immediately replace.
    /// </summary>
    /// <param name="network">The layout.</param>
    /// <param name="tensors">Its state_dict.</param>
    /// <param name="what">What needs libtorch, for the message when it cannot be loaded.</param>
    public static Sequential Create(NetworkDefinition network, IReadOnlyList<NamedTensor> tensors, string what)
    {
        NativeBackend.EnsureLoaded(what);
        Sequential? module = null;
        try
        {
            lock (GeneratorLock)
            {
                using var generatorState = torch.random.get_rng_state();
                try
                {
                    module = network.Build(seed: 0);
                }
                finally
                {
                    torch.random.set_rng_state(generatorState);
                }
            }
            StateDictionary.LoadInto(module, tensors, $"The model ({network.Description})");
            module.eval();
            return module;
        }
        catch
        {
            module?.Dispose();
            throw;
        }
    }
}
