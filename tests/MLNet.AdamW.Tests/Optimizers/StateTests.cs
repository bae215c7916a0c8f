using MLNet.AdamW.Optimizers;
using TorchSharp;

namespace MLNet.AdamW.Tests.Optimizers;

public sealed class StateTests
{
    public static TheoryData<OptimizerCase> Cases() => new()
    {
        new OptimizerCase(OptimizerKind.Adam, WeightDecayMode.Decoupled, WeightDecayScaling.LearningRate, 3e-3, 0.05),
        new OptimizerCase(OptimizerKind.Adam, WeightDecayMode.Proximal, WeightDecayScaling.Schedule, 3e-3, 1e-3, AmsGrad: true),
        new OptimizerCase(OptimizerKind.Sgd, WeightDecayMode.L2, WeightDecayScaling.LearningRate, 0.05, 0.01, Momentum: 0.9, Nesterov: true),
        new OptimizerCase(OptimizerKind.Adam, WeightDecayMode.Proximal, WeightDecayScaling.Schedule, 3e-3, 1e-3, AmsGrad: true,
            Implementation: StepImplementation.TensorOperations),
        new OptimizerCase(OptimizerKind.Sgd, WeightDecayMode.Decoupled, WeightDecayScaling.LearningRate, 0.05, 0.01, Momentum: 0.9,
            Implementation: StepImplementation.TensorOperations),
    };

    /// <summary>Save after 20 steps, load into a fresh optimizer over a fresh copy of the weights,
    /// and 20 more steps give bit-identical weights to 40 uninterrupted ones (with a scheduler).</summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void Save_load_continue_equals_uninterrupted(OptimizerCase optimizerCase)
    {
        using var uninterrupted = new TinyNetwork(seed: 11);
        using var first = new TinyNetwork(seed: 11);
        using var straight = optimizerCase.Create(ParameterGroups.ForModule(uninterrupted.Module));
        var straightSchedule = torch.optim.lr_scheduler.StepLR(straight, 10, 0.5);
        using var before = optimizerCase.Create(ParameterGroups.ForModule(first.Module));
        var beforeSchedule = torch.optim.lr_scheduler.StepLR(before, 10, 0.5);

        for (var t = 0; t < 20; t++)
        {
            Train(uninterrupted, straight, straightSchedule);
            Train(first, before, beforeSchedule);
        }

        byte[] weights;
        using (var stream = new MemoryStream())
        {
            first.Module.save(stream);
            weights = stream.ToArray();
        }
        using var state = new MemoryStream();
        before.SaveState(state);

        // A new process: same data, weights and optimizer state only from the saved bytes.
        using var resumed = new TinyNetwork(seed: 11);
        using (torch.no_grad())
            foreach (var p in resumed.Module.parameters())
                p.zero_();
        resumed.Module.load(new MemoryStream(weights));
        using var after = optimizerCase.Create(ParameterGroups.ForModule(resumed.Module));
        state.Position = 0;
        after.LoadState(state);
        // The state restores the scheduled rate; the state was saved after 20 steps, a multiple of the
        // step period, so a new StepLR continues the same sequence from there.
        var afterSchedule = torch.optim.lr_scheduler.StepLR(after, 10, 0.5);
        Assert.Equal(before.Groups.Select(g => g.LearningRate), after.Groups.Select(g => g.LearningRate));

        for (var t = 0; t < 20; t++)
        {
            Train(uninterrupted, straight, straightSchedule);
            Train(resumed, after, afterSchedule);
        }

        Assert.Equal(uninterrupted.Weights(), resumed.Weights());
    }

    [Fact]
    public void Loading_state_saved_for_another_layout_fails_clearly_and_changes_nothing()
    {
        using var small = new TinyNetwork(seed: 1);
        using var smallOptimizer = new AdamOptimizer(small.Module.parameters());
        small.Backward();
        smallOptimizer.step();
        using var state = new MemoryStream();
        smallOptimizer.SaveState(state);

        var other = torch.nn.Sequential(torch.nn.Linear(8, 15), torch.nn.Tanh(), torch.nn.Linear(15, 16), torch.nn.Tanh(), torch.nn.Linear(16, 3));
        using var otherOptimizer = new AdamOptimizer(other.parameters());
        state.Position = 0;
        var e = Assert.Throws<InvalidDataException>(() => otherOptimizer.LoadState(state));
        Assert.Contains("shape", e.Message, StringComparison.Ordinal);
        Assert.Contains("different model", e.Message, StringComparison.Ordinal);

        using var amsGrad = new AdamOptimizer(small.Module.parameters(), new AdamOptimizerOptions { AmsGrad = true });
        state.Position = 0;
        Assert.Throws<InvalidDataException>(() => amsGrad.LoadState(state));

        using var sgd = new SgdOptimizer(small.Module.parameters());
        state.Position = 0;
        Assert.Throws<InvalidDataException>(() => sgd.LoadState(state));
    }

    /// <summary>State format 1 stored AMSGrad's maximum of the bias-corrected v̂; format 2 stores the
    /// maximum of the raw v. A format-1 AMSGrad state is refused (it cannot be converted exactly);
    /// any other format-1 state holds the same numbers as format 2 and loads.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void State_of_the_first_format_loads_unless_it_holds_the_old_AMSGrad_maximum(bool amsGrad)
    {
        var options = new AdamOptimizerOptions { AmsGrad = amsGrad };
        using var network = new TinyNetwork(seed: 5);
        using var optimizer = new AdamOptimizer(network.Module.parameters(), options);
        network.Backward();
        optimizer.step();
        using var state = new MemoryStream();
        optimizer.SaveState(state);
        var bytes = state.ToArray();
        // The layout: 8 bytes of magic, then the format version; format 1 differs only in it.
        Assert.Equal(2, BitConverter.ToInt32(bytes, 8));
        BitConverter.GetBytes(1).CopyTo(bytes, 8);

        using var fresh = new TinyNetwork(seed: 5);
        using var target = new AdamOptimizer(fresh.Module.parameters(), options);
        if (!amsGrad)
        {
            target.LoadState(new MemoryStream(bytes));
            Assert.All(optimizer.state_dict().State.Zip(target.state_dict().State), pair => Assert.True(pair.First.ApproximatelyEquals(pair.Second)));
            return;
        }
        using var before = new MemoryStream();
        target.SaveState(before);
        var e = Assert.Throws<InvalidDataException>(() => target.LoadState(new MemoryStream(bytes)));
        Assert.Contains("AMSGrad", e.Message, StringComparison.Ordinal);
        Assert.Contains("format 1", e.Message, StringComparison.Ordinal);
        using var after = new MemoryStream();
        target.SaveState(after);
        Assert.Equal(before.ToArray(), after.ToArray());
    }

    [Fact]
    public void Truncated_or_foreign_streams_are_rejected()
    {
        using var network = new TinyNetwork(seed: 2);
        using var optimizer = new AdamOptimizer(network.Module.parameters());
        network.Backward();
        optimizer.step();
        using var state = new MemoryStream();
        optimizer.SaveState(state);
        var bytes = state.ToArray();

        using var fresh = new TinyNetwork(seed: 2);
        using var target = new AdamOptimizer(fresh.Module.parameters());
        using var before = new MemoryStream();
        target.SaveState(before);

        foreach (var length in new[] { 0, 5, 40, bytes.Length / 2, bytes.Length - 1 })
            Assert.Throws<InvalidDataException>(() => target.LoadState(new MemoryStream(bytes, 0, length)));
        Assert.Throws<InvalidDataException>(() => target.LoadState(new MemoryStream("not optimizer state at all"u8.ToArray())));

        using var after = new MemoryStream();
        target.SaveState(after);
        Assert.Equal(before.ToArray(), after.ToArray());
    }

    [Fact]
    public void TorchSharps_own_state_dict_round_trips_too()
    {
        using var network = new TinyNetwork(seed: 4);
        using var optimizer = new AdamOptimizer(network.Module.parameters());
        network.Backward();
        optimizer.step();
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
            optimizer.save_state_dict(writer);

        using var copy = new AdamOptimizer(network.Module.parameters().Select(p => new TorchSharp.Modules.Parameter(p.detach().clone())));
        stream.Position = 0;
        using (var reader = new BinaryReader(stream))
            copy.load_state_dict(reader);
        var expected = optimizer.state_dict().State;
        var actual = copy.state_dict().State;
        Assert.Equal(expected.Count, actual.Count);
        Assert.All(expected.Zip(actual), pair => Assert.True(pair.First.ApproximatelyEquals(pair.Second)));
    }

    private static void Train(TinyNetwork network, WeightDecayOptimizer optimizer, torch.optim.lr_scheduler.LRScheduler schedule)
    {
        network.Backward();
        optimizer.step();
        schedule.step();
    }
}
