using System.Text;

namespace MLNet.AdamW.Cli.Data;

/// <summary>
/// Splits delimited text into fields as ML.NET's TextLoader reads it with quoting on: a field in double
/// quotes may hold the separator, and "" inside it is one quote. Only for inferring the columns; the
/// data itself is read by TextLoader.
/// </summary>
internal static class CsvReader
{
    public static IEnumerable<string[]> ReadRecords(TextReader reader, char separator)
    {
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            if (line.Length == 0)
                continue;
            yield return Split(line, separator);
        }
    }

    public static string[] Split(string line, char separator)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"' && field.Length == 0)
            {
                quoted = true;
            }
            else if (c == separator)
            {
                fields.Add(field.ToString().Trim());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }
        fields.Add(field.ToString().Trim());
        return [.. fields];
    }
}
