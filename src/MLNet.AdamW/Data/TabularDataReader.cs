using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.AdamW.Data;

/// <summary>
/// Reads the feature, label and weight columns of an <see cref="IDataView"/> into a
/// <see cref="TabularData"/>, checking their types the way ML.NET's trainers do.
/// </summary>
/// <remarks>
/// Rows with a missing label, a non-finite feature value or a non-finite or negative weight are
/// skipped and counted, as ML.NET's trainers skip them; rows of weight 0 are left out, since they
/// cannot change the fit. Sparse feature vectors are made dense.
/// </remarks>
internal static class TabularDataReader
{
    private const int InitialRowCapacity = 1024;

    /// <summary>Reads the data.</summary>
    /// <param name="data">The rows.</param>
    /// <param name="featureColumn">A known-size vector of Single, or a Single.</param>
    /// <param name="labelColumn">Boolean (binary), a key (multiclass) or Single (regression).</param>
    /// <param name="weightColumn">Null, or a Single column of example weights.</param>
    /// <param name="kind">What the label is.</param>
    /// <param name="isValidation">True for a validation set: messages say so, and a single class is allowed.</param>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or has the wrong type; the message names it, the type found and what to do.</exception>
    /// <exception cref="InvalidOperationException">There are no rows, no usable rows, or (training data) only one class of a binary label.</exception>
    public static TabularData Read(
        IDataView data, string featureColumn, string labelColumn, string? weightColumn, LabelKind kind, bool isValidation = false)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentException.ThrowIfNullOrEmpty(featureColumn);
        ArgumentException.ThrowIfNullOrEmpty(labelColumn);
        if (weightColumn is { Length: 0 })
            weightColumn = null;
        if (!Enum.IsDefined(kind))
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown label kind.");

        var schema = data.Schema;
        var features = Find(schema, featureColumn, "feature", nameof(featureColumn));
        var featureCount = FeatureCountOf(features, nameof(featureColumn));
        var label = Find(schema, labelColumn, "label", nameof(labelColumn));
        var classCount = ClassCountOf(label, kind, nameof(labelColumn));
        DataViewSchema.Column? weight = null;
        if (weightColumn is not null)
        {
            weight = Find(schema, weightColumn, "weight", nameof(weightColumn));
            if (weight.Value.Type != NumberDataViewType.Single)
                throw SchemaMismatch(nameof(weightColumn), "weight", weightColumn, "Single", weight.Value.Type,
                    $"Convert it with mlContext.Transforms.Conversion.ConvertType(\"{weightColumn}\", outputKind: DataKind.Single).");
        }

        DataViewSchema.Column[] columns = weight is { } w ? [features, label, w] : [features, label];
        using var cursor = data.GetRowCursor(columns);
        var readFeatures = FeatureReader(cursor, features, featureCount);
        var readLabel = LabelReader(cursor, label, kind, classCount);
        var readWeight = weight is { } wc ? cursor.GetGetter<float>(wc) : null;

        // Start from the row count when the view knows it, within what one array can hold.
        var capacity = (int)Math.Clamp(data.GetRowCount() ?? InitialRowCapacity, 1, Math.Max(1, Array.MaxLength / featureCount));
        var featureBuffer = new float[capacity * featureCount];
        var labels = new float[capacity];
        var weights = readWeight is null ? null : new float[capacity];
        int rows = 0, read = 0, missingLabel = 0, nonFinite = 0, badWeight = 0, zeroWeight = 0;
        float weightValue = 1;
        while (cursor.MoveNext())
        {
            read++;
            if (rows == labels.Length)
            {
                var grown = (int)Math.Min((long)labels.Length * 2, Array.MaxLength / featureCount);
                if (grown <= rows)
                    throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                        $"The {Role(isValidation)} data has more than {rows:N0} rows of {featureCount:N0} features, more than fit in one array in memory."));
                Array.Resize(ref featureBuffer, grown * featureCount);
                Array.Resize(ref labels, grown);
                if (weights is not null)
                    Array.Resize(ref weights, grown);
            }

            var labelValue = readLabel();
            if (float.IsNaN(labelValue))
            {
                missingLabel++;
                continue;
            }
            if (!readFeatures(featureBuffer.AsSpan(rows * featureCount, featureCount)))
            {
                nonFinite++;
                continue;
            }
            if (readWeight is not null)
            {
                readWeight(ref weightValue);
                if (!(float.IsFinite(weightValue) && weightValue >= 0))
                {
                    badWeight++;
                    continue;
                }
                if (weightValue == 0)
                {
                    zeroWeight++;
                    continue;
                }
                weights![rows] = weightValue;
            }
            labels[rows] = labelValue;
            rows++;
        }

        var skipped = new SkippedRowCounts(missingLabel, nonFinite, badWeight, zeroWeight);
        if (read == 0)
            throw new InvalidOperationException($"The {Role(isValidation)} data has no rows.");
        if (rows == 0)
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"None of the {read:N0} rows of the {Role(isValidation)} data can be used: {skipped.Describe(labelColumn, featureColumn, weightColumn)}. ") +
                "Rows with a missing label, a non-finite feature value or a non-finite, negative or zero weight are skipped; " +
                "filter or replace them (e.g. mlContext.Transforms.ReplaceMissingValues, mlContext.Data.FilterRowsByMissingValues).");

        Array.Resize(ref featureBuffer, rows * featureCount);
        Array.Resize(ref labels, rows);
        if (weights is not null)
            Array.Resize(ref weights, rows);
        if (kind == LabelKind.Binary && !isValidation)
            RequireBothClasses(labels, labelColumn);
        return TabularData.Trusted(kind, featureBuffer, labels, weights, featureCount, classCount, skipped);
    }

    private static string Role(bool isValidation) => isValidation ? "validation" : "training";

    private static DataViewSchema.Column Find(DataViewSchema schema, string name, string role, string parameter) =>
        schema.GetColumnOrNull(name) ?? throw new ArgumentOutOfRangeException(parameter,
            $"Schema mismatch for {role} column '{name}': column not found. The data has: {string.Join(", ", schema.Where(c => !c.IsHidden).Select(c => $"'{c.Name}'"))}.");

    private static ArgumentOutOfRangeException SchemaMismatch(
        string parameter, string role, string name, string expected, DataViewType found, string advice) =>
        new(parameter, $"Schema mismatch for {role} column '{name}': expected {expected}, got {found}. {advice}");

    private static int FeatureCountOf(DataViewSchema.Column column, string parameter)
    {
        switch (column.Type)
        {
            case VectorDataViewType { IsKnownSize: true } vector when vector.ItemType == NumberDataViewType.Single:
                return vector.Size;
            case var type when type == NumberDataViewType.Single:
                return 1;
            case VectorDataViewType { IsKnownSize: false } vector when vector.ItemType == NumberDataViewType.Single:
                throw SchemaMismatch(parameter, "feature", column.Name, "a known-size vector of Single", column.Type,
                    "The vector's length varies from row to row; give it a fixed length, e.g. with [VectorType(n)] on the property or a fixed-size featurizer.");
            default:
                throw SchemaMismatch(parameter, "feature", column.Name, "a known-size vector of Single", column.Type,
                    "Concatenate numeric columns with mlContext.Transforms.Concatenate, and convert other types with mlContext.Transforms.Conversion.ConvertType (or a featurizer) first.");
        }
    }

    private static int ClassCountOf(DataViewSchema.Column column, LabelKind kind, string parameter)
    {
        var type = column.Type;
        switch (kind)
        {
            case LabelKind.Binary:
                if (type != BooleanDataViewType.Instance)
                    throw SchemaMismatch(parameter, "label", column.Name, "Boolean", type,
                        "Binary classification needs a Boolean label: load the column as bool, or map it, e.g. with " +
                        "mlContext.Transforms.Conversion.MapValue (a value → true/false table) or mlContext.Transforms.CustomMapping.");
                return 2;
            case LabelKind.Multiclass:
                if (type is not KeyDataViewType key)
                    throw SchemaMismatch(parameter, "label", column.Name, "a key type", type,
                        $"Add mlContext.Transforms.Conversion.MapValueToKey(\"{column.Name}\") before the trainer (and MapKeyToValue after it to get the original values back).");
                if (key.Count > int.MaxValue)
                    throw SchemaMismatch(parameter, "label", column.Name, "a key type with at most 2^31 − 1 values", type, "Reduce the number of classes.");
                return (int)key.Count;
            default:
                if (type != NumberDataViewType.Single)
                    throw SchemaMismatch(parameter, "label", column.Name, "Single", type,
                        $"Convert it with mlContext.Transforms.Conversion.ConvertType(\"{column.Name}\", outputKind: DataKind.Single).");
                return 1;
        }
    }

    /// <summary>Copies a row's features into the destination; false when one of them is not finite.</summary>
    private delegate bool ReadFeatures(Span<float> destination);

    private static ReadFeatures FeatureReader(DataViewRowCursor cursor, DataViewSchema.Column column, int featureCount)
    {
        if (column.Type is not VectorDataViewType)
        {
            var scalar = cursor.GetGetter<float>(column);
            float value = 0;
            return destination =>
            {
                scalar(ref value);
                destination[0] = value;
                return float.IsFinite(value);
            };
        }

        var getter = cursor.GetGetter<VBuffer<float>>(column);
        var buffer = default(VBuffer<float>);
        return destination =>
        {
            getter(ref buffer);
            if (buffer.Length != featureCount)
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                    $"Column '{column.Name}' declares {featureCount} features but a row has {buffer.Length}."));
            // Implicit entries of a sparse vector are 0, so only the explicit values need checking.
            foreach (var v in buffer.GetValues())
                if (!float.IsFinite(v))
                    return false;
            buffer.CopyTo(destination);
            return true;
        };
    }

    /// <summary>Returns the label as TabularData stores it, or NaN when it is missing.</summary>
    private static Func<float> LabelReader(DataViewRowCursor cursor, DataViewSchema.Column column, LabelKind kind, int classCount)
    {
        switch (kind)
        {
            case LabelKind.Binary:
            {
                var getter = cursor.GetGetter<bool>(column);
                var value = false;
                return () =>
                {
                    getter(ref value);
                    return value ? 1f : 0f;
                };
            }
            case LabelKind.Multiclass:
            {
                var key = KeyReader(cursor, column);
                return () =>
                {
                    // Key value 0 is ML.NET's missing value; 1…K are the classes.
                    var value = key();
                    if (value == 0)
                        return float.NaN;
                    if (value > (ulong)classCount)
                        throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                            $"Label column '{column.Name}' holds key value {value}, beyond its type's {classCount} values."));
                    return value - 1;
                };
            }
            default:
            {
                var getter = cursor.GetGetter<float>(column);
                float value = 0;
                return () =>
                {
                    getter(ref value);
                    return float.IsFinite(value) ? value : float.NaN;
                };
            }
        }
    }

    private static Func<ulong> KeyReader(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        var raw = column.Type.RawType;
        if (raw == typeof(uint))
        {
            var getter = cursor.GetGetter<uint>(column);
            uint value = 0;
            return () => { getter(ref value); return value; };
        }
        if (raw == typeof(ulong))
        {
            var getter = cursor.GetGetter<ulong>(column);
            ulong value = 0;
            return () => { getter(ref value); return value; };
        }
        if (raw == typeof(ushort))
        {
            var getter = cursor.GetGetter<ushort>(column);
            ushort value = 0;
            return () => { getter(ref value); return value; };
        }
        if (raw == typeof(byte))
        {
            var getter = cursor.GetGetter<byte>(column);
            byte value = 0;
            return () => { getter(ref value); return value; };
        }
        throw new ArgumentOutOfRangeException(nameof(column), $"Key column '{column.Name}' has an unsupported raw type {raw.Name}.");
    }

    private static void RequireBothClasses(float[] labels, string labelColumn)
    {
        var positives = 0;
        foreach (var label in labels)
            if (label != 0)
                positives++;
        if (positives == 0 || positives == labels.Length)
        {
            var present = positives == 0 ? "false" : "true";
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"The training data has a single class: label '{labelColumn}' is {present} in all {labels.Length:N0} usable rows. ") +
                $"A binary classifier needs examples of both classes (true and false); check the label mapping and any filters before the trainer.");
        }
    }
}
