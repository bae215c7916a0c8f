using MLNet.AdamW.Diagnostics;

namespace MLNet.AdamW.Sweeps.Figures;

/// <summary>One run's diagnostics and the name its column of a <see cref="GradientScaleFigure"/> carries (e.g. "AdamW, no BN").</summary>
/// <param name="Name">The column title.</param>
/// <param name="Diagnostics">What the run's <see cref="GradientScaleRecorder"/> recorded.</param>
public sealed record GradientScaleRun(string Name, GradientScaleDiagnostics Diagnostics);
