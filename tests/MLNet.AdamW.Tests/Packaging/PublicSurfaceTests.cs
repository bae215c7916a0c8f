using System.Reflection;
using System.Reflection.Emit;
using Microsoft.ML;

namespace MLNet.AdamW.Tests.Packaging;

/// <summary>
/// The libraries compile as friends of ML.NET (build/MLNetInternals.targets), so the compiler sees
/// ML.NET's internal types; users' compilers do not. No public or protected signature of ours may
/// name a type that is not public in the real ML.NET assemblies.
/// </summary>
public class PublicSurfaceTests
{
    public static TheoryData<string> Libraries => new() { "MLNet.AdamW", "MLNet.AdamW.Optimizers" };

    [Theory]
    [MemberData(nameof(Libraries))]
    public void Every_type_in_a_visible_signature_is_public(string library)
    {
        var assembly = Assembly.Load(library);

        Assert.Empty(PublicSurface.Leaks(assembly));
    }

    [Theory]
    [MemberData(nameof(Libraries))]
    public void The_library_exports_types(string library)
    {
        Assert.NotEmpty(Assembly.Load(library).GetExportedTypes());
    }

    [Fact]
    public void The_test_process_judges_against_the_real_MLNet_assemblies()
    {
        // The compile-time copies grant MLNet.AdamW friendship; the real assemblies do not.
        foreach (var assembly in new[] { typeof(MLContext).Assembly, typeof(Microsoft.ML.Runtime.IHostEnvironment).Assembly })
        {
            var friends = assembly.GetCustomAttributes<System.Runtime.CompilerServices.InternalsVisibleToAttribute>()
                .Select(a => a.AssemblyName.Split(',')[0]);
            Assert.DoesNotContain("MLNet.AdamW", friends);
        }
        Assert.False(typeof(Microsoft.ML.Runtime.IHostEnvironment).Assembly.GetType("Microsoft.ML.PredictionKind", throwOnError: true)!.IsVisible);
    }

    [Fact]
    public void Trainer_and_model_overrides_of_MLNet_internals_are_not_visible()
    {
        string[] overrides = ["PredictionKind", "TrainModelCore", "CheckLabelCompatible", "GetOutputColumnsCore", "MakeTransformer", "SaveCore"];
        Type[] types = [typeof(AdamWBinaryTrainer), typeof(AdamWMulticlassTrainer), typeof(AdamWRegressionTrainer),
            typeof(AdamWBinaryModelParameters), typeof(AdamWMulticlassModelParameters), typeof(AdamWRegressionModelParameters)];

        var visible = types
            .SelectMany(t => t.GetMembers(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance))
            .Where(m => overrides.Contains(m.Name))
            .Where(m => m switch
            {
                MethodInfo method => method.IsPublic || method.IsFamily || method.IsFamilyOrAssembly,
                PropertyInfo property => property.GetAccessors(nonPublic: true).Any(a => a.IsPublic || a.IsFamily || a.IsFamilyOrAssembly),
                _ => false,
            })
            .Select(m => $"{m.DeclaringType!.Name}.{m.Name}");

        Assert.Empty(visible);
    }

    [Fact]
    public void The_check_finds_a_non_public_type_in_each_kind_of_signature()
    {
        var leaks = PublicSurface.Leaks(LeakyTypes());

        Assert.Equal(
        [
            "Leaky.Derived: base type uses Leaky.HiddenBase (Leaky), which is not public",
            "Leaky.Exposed.Field uses Leaky.Hidden (Leaky), which is not public",
            "Leaky.Exposed.Get uses Leaky.Hidden (Leaky), which is not public",
            "Leaky.Exposed.List uses Leaky.Hidden (Leaky), which is not public",
            "Leaky.Exposed.Protected uses Leaky.Hidden (Leaky), which is not public",
            "Leaky.Exposed.Take uses Leaky.Hidden (Leaky), which is not public",
        ], leaks);
    }

    // A public surface that C# refuses to compile (CS0050-CS0053), as the befriended build would
    // produce if our overrides were public: built with Reflection.Emit.
    private static Type[] LeakyTypes()
    {
        var assembly = AssemblyBuilder.DefineDynamicAssembly(new AssemblyName("Leaky"), AssemblyBuilderAccess.Run);
        var module = assembly.DefineDynamicModule("Leaky");
        var hidden = module.DefineType("Leaky.Hidden", TypeAttributes.NotPublic | TypeAttributes.Sealed).CreateType();
        var hiddenBase = module.DefineType("Leaky.HiddenBase", TypeAttributes.NotPublic | TypeAttributes.Abstract);
        hiddenBase.DefineDefaultConstructor(MethodAttributes.Family);
        var derived = module.DefineType("Leaky.Derived", TypeAttributes.Public | TypeAttributes.Sealed, hiddenBase.CreateType()).CreateType();

        var exposed = module.DefineType("Leaky.Exposed", TypeAttributes.Public | TypeAttributes.Sealed);
        exposed.DefineField("Field", hidden, FieldAttributes.Public | FieldAttributes.Static);
        exposed.DefineField("Fine", typeof(int), FieldAttributes.Public | FieldAttributes.Static);
        exposed.DefineField("Private", hidden, FieldAttributes.Private | FieldAttributes.Static);
        Method(exposed, "Get", MethodAttributes.Public, hidden, []);
        Method(exposed, "Take", MethodAttributes.Public, typeof(void), [hidden.MakeArrayType()]);
        Method(exposed, "List", MethodAttributes.Public, typeof(List<>).MakeGenericType(hidden), []);
        Method(exposed, "Protected", MethodAttributes.Family, hidden, []);
        Method(exposed, "FriendOnly", MethodAttributes.FamANDAssem, hidden, []);
        return [derived, exposed.CreateType()];
    }

    private static void Method(TypeBuilder type, string name, MethodAttributes access, Type returns, Type[] parameters)
    {
        var il = type.DefineMethod(name, access | MethodAttributes.Static, returns, parameters).GetILGenerator();
        if (returns != typeof(void))
            il.Emit(OpCodes.Ldnull);
        il.Emit(OpCodes.Ret);
    }
}
