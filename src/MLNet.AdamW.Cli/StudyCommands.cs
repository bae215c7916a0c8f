using System.CommandLine;

namespace MLNet.AdamW.Cli;

internal static class StudyCommands
{
    public static IEnumerable<Command> Create(TextWriter output, TextWriter error) => [];
}
