using MLNet.AdamW.Samples;

namespace MLNet.AdamW.Tests.Images;

/// <summary>
/// The first <see cref="TrainCount"/> + <see cref="TestCount"/> shipped digits written once as PNG
/// files into a temporary folder, deleted after the class's tests.
/// </summary>
public sealed class DigitImageFolder : IDisposable
{
    public const int TrainCount = 2000;
    public const int TestCount = 1000;

    public DigitImageFolder()
    {
        Folder = Path.Combine(Path.GetTempPath(), "mlnet-adamw-digit-images-" + Guid.NewGuid().ToString("N"));
        Digits = DigitImageFiles.Load();
        Train = DigitImageFiles.Write(Digits, 0, TrainCount, Folder);
        Test = DigitImageFiles.Write(Digits, TrainCount, TestCount, Folder);
    }

    public string Folder { get; }

    /// <summary>All shipped digits, as stored.</summary>
    public MnistDigits Digits { get; }

    /// <summary>Digits 0 to <see cref="TrainCount"/> − 1.</summary>
    public IReadOnlyList<DigitImage> Train { get; }

    /// <summary>The next <see cref="TestCount"/> digits.</summary>
    public IReadOnlyList<DigitImage> Test { get; }

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}
