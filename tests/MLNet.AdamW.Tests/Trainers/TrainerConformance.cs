using System.Globalization;
using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.AdamW.Tests.Trainers;

/// <summary>
/// The estimator contract every trainer must keep, checked the way ML.NET's own TestEstimatorCore
/// does: the promised output schema is the delivered one, invalid inputs fail with
/// ArgumentOutOfRange/InvalidOperation exceptions, and save → load with a fresh MLContext gives the
/// same schema and bit-identical values, as an object of our own type.
/// </summary>
internal static class TrainerConformance
{
    /// <summary>An input the estimator must reject.</summary>
    /// <param name="Description">What is wrong, for failure messages.</param>
    /// <param name="Data">The data.</param>
    /// <param name="TransformFails">Whether the fitted transformer must reject it too (false when only the label is wrong: scoring needs no label).</param>
    /// <param name="MessageFragment">A fragment the exception's message must contain.</param>
    public sealed record InvalidInput(string Description, IDataView Data, bool TransformFails, string MessageFragment);

    /// <summary>Runs every check and returns the fitted transformer.</summary>
    public static TTransformer Check<TTransformer>(
        MLContext ml, IEstimator<TTransformer> estimator, IDataView data, IEnumerable<InvalidInput> invalidInputs)
        where TTransformer : class, ITransformer
    {
        // Schema propagation of the estimator.
        var promised = estimator.GetOutputSchema(ShapeOf(data.Schema));
        var invalid = invalidInputs.ToList();
        foreach (var input in invalid)
        {
            MustFail($"GetOutputSchema on {input.Description}", input.MessageFragment,
                () => estimator.GetOutputSchema(ShapeOf(input.Data.Schema)));
            MustFail($"Fit on {input.Description}", input.MessageFragment, () => estimator.Fit(input.Data));
        }

        var transformer = estimator.Fit(data);
        Assert.False(transformer is null);
        var schema = transformer.GetOutputSchema(data.Schema);
        var scored = transformer.Transform(data);
        SameSchema(schema, scored.Schema, "GetOutputSchema vs Transform");
        Assert.True(transformer.IsRowToRowMapper);
        var mapper = transformer.GetRowToRowMapper(data.Schema);
        SameSchema(schema, mapper.OutputSchema, "GetOutputSchema vs row-to-row mapper");

        // The estimator promised what the transformer delivers, column by column.
        SameSchemaShape(promised, ShapeOf(schema));

        foreach (var input in invalid.Where(i => i.TransformFails))
        {
            MustFail($"GetOutputSchema of the transformer on {input.Description}", input.MessageFragment, () => transformer.GetOutputSchema(input.Data.Schema));
            MustFail($"Transform on {input.Description}", input.MessageFragment, () => transformer.Transform(input.Data));
        }

        // Save, then load with a fresh context: same type, same schema, bit-identical values.
        var path = TrainerData.TempPath();
        try
        {
            ml.Model.Save(transformer, data.Schema, path);
            var fresh = new MLContext(seed: 12345);
            var loaded = fresh.Model.Load(path, out var loadedInputSchema);
            Assert.IsType<TTransformer>(loaded);
            SameSchema(data.Schema, loadedInputSchema, "saved input schema vs loaded input schema");
            var loadedScored = loaded.Transform(data);
            SameSchema(scored.Schema, loadedScored.Schema, "in-memory vs loaded transformer output");
            SameSchema(schema, loaded.GetOutputSchema(data.Schema), "in-memory vs loaded GetOutputSchema");
            foreach (var column in OutputColumns(data.Schema, scored.Schema))
                Assert.Equal(TrainerData.Values(scored, column), TrainerData.Values(loadedScored, column));

            foreach (var input in invalid.Where(i => i.TransformFails))
                MustFail($"Transform of the loaded transformer on {input.Description}", input.MessageFragment, () => loaded.Transform(input.Data));
        }
        finally
        {
            File.Delete(path);
        }
        return transformer;
    }

    /// <summary>The columns a transformer added (or replaced): those whose index moved past the input's.</summary>
    public static IReadOnlyList<string> OutputColumns(DataViewSchema input, DataViewSchema output) =>
        output.Where(c => !c.IsHidden && c.Index >= input.Count).Select(c => c.Name).ToList();

    /// <summary>Fails unless the action throws ArgumentOutOfRangeException or InvalidOperationException (possibly wrapped by reflection) whose message has the fragment (ignoring case).</summary>
    public static Exception MustFail(string what, string messageFragment, Action action)
    {
        try
        {
            action();
        }
        catch (Exception e)
        {
            var inner = e;
            while (inner is TargetInvocationException { InnerException: { } next })
                inner = next;
            Assert.True(inner is ArgumentOutOfRangeException or InvalidOperationException,
                $"{what}: expected ArgumentOutOfRangeException or InvalidOperationException, got {inner.GetType().Name}: {inner.Message}");
            Assert.Contains(messageFragment, inner.Message, StringComparison.OrdinalIgnoreCase);
            return inner;
        }
        Assert.Fail($"{what} did not fail.");
        throw new InvalidOperationException("unreachable");
    }

    /// <summary>Same columns (names, types with their sizes, hidden flags) with the same annotations (names, types, values).</summary>
    public static void SameSchema(DataViewSchema expected, DataViewSchema actual, string what)
    {
        Assert.True(expected.Count == actual.Count,
            $"{what}: {expected.Count} columns [{string.Join(", ", expected.Select(c => c.Name))}] vs {actual.Count} [{string.Join(", ", actual.Select(c => c.Name))}]");
        for (var i = 0; i < expected.Count; i++)
        {
            var e = expected[i];
            var a = actual[i];
            Assert.True(e.Name == a.Name, $"{what}: column {i} is '{e.Name}' vs '{a.Name}'");
            Assert.True(e.Type.Equals(a.Type), $"{what}: column '{e.Name}' is {e.Type} vs {a.Type}");
            Assert.True(e.IsHidden == a.IsHidden, $"{what}: column '{e.Name}' hidden {e.IsHidden} vs {a.IsHidden}");
            Assert.Equal(Annotations(e), Annotations(a));
        }
    }

    /// <summary>Each annotation of a column as "name: type = value".</summary>
    public static List<string> Annotations(DataViewSchema.Column column)
    {
        var result = new List<string>();
        foreach (var annotation in column.Annotations.Schema)
            result.Add($"{column.Name}/{annotation.Name}: {annotation.Type} = {AnnotationValue(column.Annotations, annotation)}");
        return result;
    }

    /// <summary>An annotation's value as text.</summary>
    public static string AnnotationValue(DataViewSchema.Annotations annotations, DataViewSchema.Column annotation)
    {
        var raw = annotation.Type.RawType;
        if (raw == typeof(ReadOnlyMemory<char>))
        {
            ReadOnlyMemory<char> v = default;
            annotations.GetValue(annotation.Name, ref v);
            return v.ToString();
        }
        if (raw == typeof(VBuffer<ReadOnlyMemory<char>>))
        {
            VBuffer<ReadOnlyMemory<char>> v = default;
            annotations.GetValue(annotation.Name, ref v);
            return "[" + string.Join(", ", v.DenseValues().Select(s => s.ToString())) + "]";
        }
        if (raw == typeof(bool))
        {
            var v = false;
            annotations.GetValue(annotation.Name, ref v);
            return v ? "true" : "false";
        }
        if (raw == typeof(uint))
        {
            uint v = 0;
            annotations.GetValue(annotation.Name, ref v);
            return v.ToString(CultureInfo.InvariantCulture);
        }
        return "(" + raw.Name + ")";
    }

    /// <summary>
    /// The estimator's promise equals the delivery: same column names, and for each the same kind,
    /// item type, key-ness and annotation names, compatible both ways (as TestEstimatorCore checks).
    /// </summary>
    public static void SameSchemaShape(SchemaShape promised, SchemaShape delivered)
    {
        Assert.Equal(promised.Select(c => c.Name).Order(StringComparer.Ordinal), delivered.Select(c => c.Name).Order(StringComparer.Ordinal));
        foreach (var p in promised)
        {
            var d = delivered.Single(c => c.Name == p.Name);
            Assert.True(p.Kind == d.Kind, $"'{p.Name}': promised {p.Kind}, delivered {d.Kind}");
            Assert.True(p.ItemType.Equals(d.ItemType), $"'{p.Name}': promised {p.ItemType}, delivered {d.ItemType}");
            Assert.True(p.IsKey == d.IsKey, $"'{p.Name}': promised key {p.IsKey}, delivered {d.IsKey}");
            Assert.Equal(AnnotationShape(p), AnnotationShape(d));
            Assert.True(IsCompatibleWith(d, p), $"'{p.Name}': delivered is not compatible with promised");
            Assert.True(IsCompatibleWith(p, d), $"'{p.Name}': promised is not compatible with delivered");
        }
    }

    /// <summary>ML.NET's <c>SchemaShape.Create</c> (internal: users never build a shape themselves).</summary>
    public static SchemaShape ShapeOf(DataViewSchema schema) =>
        (SchemaShape)typeof(SchemaShape).GetMethod("Create", BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic, [typeof(DataViewSchema)])!
            .Invoke(null, [schema])!;

    /// <summary>ML.NET's (internal) <c>SchemaShape.Column.IsCompatibleWith</c>.</summary>
    private static bool IsCompatibleWith(SchemaShape.Column column, SchemaShape.Column source) =>
        (bool)typeof(SchemaShape.Column).GetMethod("IsCompatibleWith", BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)!
            .Invoke(column, [source])!;

    private static List<string> AnnotationShape(SchemaShape.Column column) =>
        column.Annotations.Select(a => $"{a.Name}: {a.Kind} {a.ItemType} key={a.IsKey}").Order(StringComparer.Ordinal).ToList();
}
