using MLNet.AdamW.Training;
using MLNet.AdamW.Networks;
using TorchSharp;
using TorchSharp.Modules;

namespace MLNet.AdamW.Model;

/// <summary>
/// Rebuilds a trained model's TorchSharp network. The only place where a model (as opposed to a
/// trainer) calls into libtorch, so that an application that only scores never loads it.
/// </summary>
internal static class TorchModule
{
    public static Sequential Create(ModelContent content)
    {
        NativeBackend.EnsureLoaded("CreateTorchModule");
        var spec = new MlpNetwork(content.Inputs, content.HiddenLayers, (Activation)content.ActivationCode,
            content.BatchNorm, content.Dropout, content.Layers[^1].Outputs);
        // Build seeds and draws from the process-wide generator for initial weights that load
        // immediately replaces; the caller's generator must not notice.
        using var generatorState = torch.random.get_rng_state();
        Sequential? network = null;
        try
        {
            network = spec.Build(seed: 0);
            spec.LoadWeights(network, content.NetworkState, $"the model ({content.NetworkDescription})");
            network.eval();
            return network;
        }
        catch
        {
            network?.Dispose();
            throw;
        }
        finally
        {
            torch.random.set_rng_state(generatorState);
        }
    }
}
