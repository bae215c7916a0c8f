using System.Reflection;

namespace MLNet.AdamW.Tests.Packaging;

/// <summary>
/// Lists every place where a type that users can see names a type they cannot: base types,
/// implemented public interfaces, generic arguments and constraints, and the signatures of public
/// and protected members (fields, properties, events, constructors, methods, parameters, return
/// types). Runs on loaded types, so "visible" is judged against whatever assemblies the process
/// loaded: in the test process, the real ML.NET assemblies, not the befriended compile-time copies.
/// </summary>
internal static class PublicSurface
{
    private const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance
        | BindingFlags.Static | BindingFlags.DeclaredOnly;

    public static IReadOnlyList<string> Leaks(Assembly assembly) => Leaks(assembly.GetExportedTypes());

    public static IReadOnlyList<string> Leaks(IEnumerable<Type> visibleTypes) =>
        [.. visibleTypes.SelectMany(Leaks).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    public static IEnumerable<string> Leaks(Type type)
    {
        var where = Name(type);
        if (type.BaseType is { } baseType)
            foreach (var leak in Check(baseType, $"{where}: base type"))
                yield return leak;
        // A non-public interface is an implementation detail nobody outside can cast to; a public
        // one is part of the surface, generic arguments included.
        foreach (var contract in type.GetInterfaces().Where(i => (i.IsGenericType ? i.GetGenericTypeDefinition() : i).IsVisible))
            foreach (var leak in Check(contract, $"{where}: interface"))
                yield return leak;
        foreach (var parameter in type.GetGenericArguments())
            foreach (var leak in Constraints(parameter, where))
                yield return leak;

        foreach (var member in type.GetMembers(Declared).Where(IsVisibleOutside))
        {
            var at = $"{where}.{member.Name}";
            var types = member switch
            {
                FieldInfo field => [field.FieldType],
                PropertyInfo property => [property.PropertyType, .. property.GetIndexParameters().Select(p => p.ParameterType)],
                EventInfo @event => [@event.EventHandlerType!],
                MethodBase method => Signature(method),
                _ => Array.Empty<Type>(),
            };
            foreach (var memberType in types)
                foreach (var leak in Check(memberType, at))
                    yield return leak;
            if (member is MethodInfo { IsGenericMethodDefinition: true } generic)
                foreach (var parameter in generic.GetGenericArguments())
                    foreach (var leak in Constraints(parameter, at))
                        yield return leak;
        }
    }

    private static Type[] Signature(MethodBase method) =>
        [.. method.GetParameters().Select(p => p.ParameterType), .. method is MethodInfo m ? [m.ReturnType] : Array.Empty<Type>()];

    // Public, protected and protected internal members are reachable from other assemblies;
    // private, internal and private protected ones are not. Property and event accessors are
    // covered by their property or event.
    private static bool IsVisibleOutside(MemberInfo member) => member switch
    {
        MethodBase { IsSpecialName: true } method when !method.IsConstructor => false,
        MethodBase method => method.IsPublic || method.IsFamily || method.IsFamilyOrAssembly,
        FieldInfo field => field.IsPublic || field.IsFamily || field.IsFamilyOrAssembly,
        PropertyInfo property => property.GetAccessors(nonPublic: true).Any(IsVisibleOutside),
        EventInfo @event => @event.AddMethod is { } add && IsVisibleOutside(add),
        _ => false, // nested types are exported types of their own
    };

    private static IEnumerable<string> Constraints(Type parameter, string where) =>
        parameter.GetGenericParameterConstraints().SelectMany(c => Check(c, $"{where}: constraint on {parameter.Name}"));

    // Every type a signature names must be visible: the type itself, its element type (arrays,
    // by-ref, pointers) and each generic argument.
    private static IEnumerable<string> Check(Type type, string where)
    {
        if (type.IsGenericParameter)
            yield break;
        if (type.HasElementType)
        {
            foreach (var leak in Check(type.GetElementType()!, where))
                yield return leak;
            yield break;
        }
        if (type.IsGenericType && !type.IsGenericTypeDefinition)
        {
            foreach (var argument in type.GetGenericArguments())
                foreach (var leak in Check(argument, where))
                    yield return leak;
            type = type.GetGenericTypeDefinition();
        }
        if (!type.IsVisible)
            yield return $"{where} uses {Name(type)} ({type.Assembly.GetName().Name}), which is not public";
    }

    private static string Name(Type type) => type.FullName ?? type.Name;
}
