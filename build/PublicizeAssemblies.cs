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
/// Writes a copy of each assembly that makes the compiling assembly a friend of it: the copy gains
/// [InternalsVisibleTo(friend)], and its private types, methods and fields become internal. Every
/// other accessibility is kept, so the compiler sees ML.NET exactly as ML.NET's own extension
/// assemblies (LightGbm, FastTree) do: an override of a private protected member stays private
/// protected, and an internal ML.NET type in one of our public signatures is a compile error
/// (CS0050/CS0051). The unmodified assembly is what runs (with IgnoresAccessChecksTo).
/// </summary>
public sealed class PublicizeAssemblies : Task
{
    private const string InternalsVisibleTo = "System.Runtime.CompilerServices.InternalsVisibleToAttribute";
    private const string CompilerGenerated = "System.Runtime.CompilerServices.CompilerGeneratedAttribute";

    // Bump when the rewrite changes, so that copies written by an older rule are replaced.
    private const string RuleVersion = "friend-3";

    [Required]
    public ITaskItem[] Assemblies { get; set; } = Array.Empty<ITaskItem>();

    [Required]
    public string OutputDirectory { get; set; } = "";

    /// <summary>The simple name of the assembly being compiled.</summary>
    [Required]
    public string FriendAssemblyName { get; set; } = "";

    [Output]
    public ITaskItem[] Publicized { get; set; } = Array.Empty<ITaskItem>();

    public override bool Execute()
    {
        var outputDirectory = Path.Combine(OutputDirectory, RuleVersion, FriendAssemblyName);
        Directory.CreateDirectory(outputDirectory);
        var outputs = new List<ITaskItem>();
        foreach (var assembly in Assemblies)
        {
            var input = assembly.GetMetadata("FullPath");
            var output = Path.Combine(outputDirectory, Path.GetFileName(input));
            var upToDate = File.Exists(output) && File.GetLastWriteTimeUtc(output) >= File.GetLastWriteTimeUtc(input);
            if (!upToDate)
            {
                var (types, members) = Befriend(input, output, FriendAssemblyName);
                Log.LogMessage(MessageImportance.Normal,
                    $"Made {FriendAssemblyName} a friend of {Path.GetFileName(input)} ({types} private types and {members} private members made internal) in {output}");
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

    private static (int Types, int Members) Befriend(string input, string output, string friend)
    {
        int types = 0, members = 0;
        var resolver = new DefaultAssemblyResolver();
        resolver.AddSearchDirectory(Path.GetDirectoryName(input));
        using (var module = ModuleDefinition.ReadModule(input, new ReaderParameters { AssemblyResolver = resolver, InMemory = true }))
        {
            var grant = new CustomAttribute(InternalsVisibleToConstructor(module));
            grant.ConstructorArguments.Add(new CustomAttributeArgument(module.TypeSystem.String, friend));
            module.Assembly.CustomAttributes.Add(grant);

            foreach (var type in module.GetTypes())
            {
                if (type.IsNestedPrivate)
                {
                    type.IsNestedAssembly = true;
                    types++;
                }

                foreach (var method in type.Methods.Where(m => m.IsPrivate))
                {
                    method.IsAssembly = true;
                    members++;
                }

                // An event's backing field has the event's name; making it visible too would make
                // every use of the event ambiguous. Compiler-generated fields are unspeakable anyway.
                var events = new HashSet<string>(type.Events.Select(e => e.Name));
                foreach (var field in type.Fields.Where(f => f.IsPrivate && !events.Contains(f.Name)
                    && !f.CustomAttributes.Any(a => a.AttributeType.FullName == CompilerGenerated)))
                {
                    field.IsAssembly = true;
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

    // ML.NET's assemblies already name their own friends: reuse that attribute's constructor.
    // Otherwise refer to the attribute in the assembly's core library (netstandard or System.Runtime).
    private static MethodReference InternalsVisibleToConstructor(ModuleDefinition module)
    {
        var existing = module.Assembly.CustomAttributes.FirstOrDefault(a => a.AttributeType.FullName == InternalsVisibleTo);
        if (existing != null)
            return existing.Constructor;
        var attribute = new TypeReference("System.Runtime.CompilerServices", "InternalsVisibleToAttribute", module, module.TypeSystem.CoreLibrary);
        var constructor = new MethodReference(".ctor", module.TypeSystem.Void, attribute) { HasThis = true };
        constructor.Parameters.Add(new ParameterDefinition(module.TypeSystem.String));
        return constructor;
    }
}
