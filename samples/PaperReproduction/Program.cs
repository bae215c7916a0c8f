using PaperReproduction;
using TorchSharp;

// The paper's comparison, scaled down to the shipped MNIST digits: α × λ grids for Adam-ℓ2, AdamW and AdamProx
// on ResNets with and without batch norm, the loss-multiplier check and the gradient-scale histograms, run
// through the sweep engine with a SQLite study file (kill it and run it again: finished trials stay finished),
// then a report that states each of the paper's claims next to what was measured.
var arguments = ReproductionArguments.Parse(args, out var error, out var help);
if (help)
{
    Console.WriteLine(ReproductionArguments.Usage);
    return 0;
}
if (arguments is null)
{
    Console.Error.WriteLine(error);
    Console.Error.WriteLine(ReproductionArguments.Usage);
    return 2;
}
torch.set_num_threads(1);
Reproduction.Run(arguments, string.Join(" ", ["PaperReproduction", .. args]), Console.Out);
return 0;
