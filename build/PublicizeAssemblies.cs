// Compiled by MSBuild's RoslynCodeTaskFactory (build/MLNetInternals.targets): keep to APIs that
// netstandard2.0 and Mono.Cecil offer.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using Mono.Cecil;

/// <summary>
/// Writes a copy of each assembly with every type, method and field made public, to compile
/// against; the unmodified assembly is what runs (with IgnoresAccessChecksTo).
/// </summary>
public sealed class PublicizeAssemblies : Task
{
    [Required]
    public ITaskItem[] Assemblies { get; set; } = Array.Empty<ITaskItem>();

    [Required]
    public string OutputDirectory { get; set; } = "";

    [Output]
    public ITaskItem[] Publicized { get; set; } = Array.Empty<ITaskItem>();

    public override bool Execute()
    {
        Directory.CreateDirectory(OutputDirectory);
        var outputs = new List<ITaskItem>();
        foreach (var assembly in Assemblies)
        {
            var input = assembly.GetMetadata("FullPath");
            var output = Path.Combine(OutputDirectory, Path.GetFileName(input));
            var upToDate = File.Exists(output) && File.GetLastWriteTimeUtc(output) >= File.GetLastWriteTimeUtc(input);
            if (!upToDate)
            {
                var (types, members) = Publicize(input, output);
                Log.LogMessage(MessageImportance.Normal, $"Publicized {types} types and {members} members of {Path.GetFileName(input)} into {output}");
            }
            var item = new TaskItem(output);
            assembly.CopyMetadataTo(item);
            item.SetMetadata("Private", "false");
            item.SetMetadata("CopyLocal", "false");
            outputs.Add(item);
        }
        Publicized = outputs.ToArray();
        return !Log.HasLoggedErrors;
    }

    private static (int Types, int Members) Publicize(string input, string output)
    {
        int types = 0, members = 0;
        var resolver = new DefaultAssemblyResolver();
        resolver.AddSearchDirectory(Path.GetDirectoryName(input));
        using (var module = ModuleDefinition.ReadModule(input, new ReaderParameters { AssemblyResolver = resolver, InMemory = true }))
        {
            foreach (var type in module.GetTypes())
            {
                if (type.Name == "<Module>")
                    continue;
                if (type.IsNested ? !type.IsNestedPublic : !type.IsPublic)
                {
                    if (type.IsNested)
                        type.IsNestedPublic = true;
                    else
                        type.IsPublic = true;
                    types++;
                }

                foreach (var method in type.Methods.Where(m => !m.IsPublic))
                {
                    method.IsPublic = true;
                    members++;
                }

                // An event's backing field has the event's name; making it public too would make
                // every use of the event ambiguous. Compiler-generated fields are unspeakable anyway.
                var events = new HashSet<string>(type.Events.Select(e => e.Name));
                foreach (var field in type.Fields.Where(f => !f.IsPublic && !events.Contains(f.Name)
                    && !f.CustomAttributes.Any(a => a.AttributeType.FullName == "System.Runtime.CompilerServices.CompilerGeneratedAttribute")))
                {
                    field.IsPublic = true;
                    members++;
                }
            }

            var temporary = output + ".tmp";
            module.Write(temporary);
            if (File.Exists(output))
                File.Delete(output);
            File.Move(temporary, output);
        }
        return (types, members);
    }
}
