// The ML.NET internals bridge, in one place (see build/MLNetInternals.targets for the build half).
//
// The library compiles against publicized copies of Microsoft.ML.Core and Microsoft.ML.Data and
// runs against the real ones; these attributes tell the runtime to allow this assembly's access
// to their non-public members. Everything that relies on it lives in Trainers/ and Model/, and
// its tests (conformance, save/load in a fresh process) fail if ML.NET changes underneath.
// Remove when ML.NET makes its trainer extension points public.

[assembly: System.Runtime.CompilerServices.IgnoresAccessChecksTo("Microsoft.ML.Core")]
[assembly: System.Runtime.CompilerServices.IgnoresAccessChecksTo("Microsoft.ML.Data")]

namespace System.Runtime.CompilerServices
{
    /// <summary>
    /// Honoured by the .NET runtime (not defined by the base library): lets this assembly use the
    /// non-public members of the named assembly.
    /// </summary>
    [AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
    internal sealed class IgnoresAccessChecksToAttribute : Attribute
    {
        public IgnoresAccessChecksToAttribute(string assemblyName) => AssemblyName = assemblyName;

        public string AssemblyName { get; }
    }
}
