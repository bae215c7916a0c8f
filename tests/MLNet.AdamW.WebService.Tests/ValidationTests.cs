using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace MLNet.AdamW.WebService.Tests;

/// <summary>A bad request gets a 400 problem (RFC 9457) naming the field, never a 500.</summary>
[Collection(SharedService.Name)]
public sealed class ValidationTests(ServiceFactory service)
{
    private const string Good = """{"island":"Dream","beakLength":46.5,"beakDepth":17.9,"flipperLength":192,"bodyMass":3500}""";

    [Theory]
    [InlineData("""{"island":"Dream","beakDepth":17.9,"flipperLength":192,"bodyMass":3500}""", "beakLength", "is required")]
    [InlineData("""{"island":"Dream","beakLength":null,"beakDepth":17.9,"flipperLength":192,"bodyMass":3500}""", "beakLength", "is required")]
    [InlineData("""{"island":"Dream","beakLength":"NaN","beakDepth":17.9,"flipperLength":192,"bodyMass":3500}""", "beakLength", "finite number")]
    [InlineData("""{"island":"Dream","beakLength":46.5,"beakDepth":NaN,"flipperLength":192,"bodyMass":3500}""", "beakDepth", "NaN and Infinity are not JSON numbers")]
    [InlineData("""{"island":"Dream","beakLength":46.5,"beakDepth":17.9,"flipperLength":192,"bodyMass":-Infinity}""", "bodyMass", "not valid JSON")]
    [InlineData("""{"island":"Dream","beakLength":46.5,"beakDepth":17.9,"flipperLength":1e39,"bodyMass":3500}""", "flipperLength", "within ±3.4e38")]
    [InlineData("""{"island":"Dream","beakLength":46.5,"beakDepth":17.9,"flipperLength":true,"bodyMass":3500}""", "flipperLength", "got a Boolean")]
    [InlineData("""{"beakLength":46.5,"beakDepth":17.9,"flipperLength":192,"bodyMass":3500}""", "island", "is required")]
    [InlineData("""{"island":3,"beakLength":46.5,"beakDepth":17.9,"flipperLength":192,"bodyMass":3500}""", "island", "non-empty string")]
    [InlineData("""{"island":"  ","beakLength":46.5,"beakDepth":17.9,"flipperLength":192,"bodyMass":3500}""", "island", "non-empty string")]
    [InlineData("[" + Good + """,{"island":"Biscoe","beakLength":46,"beakDepth":14,"flipperLength":210}]""", "[1].bodyMass", "is required")]
    [InlineData("[" + Good + "," + Good + """,{"island":"Biscoe","beakLength":46,"beakDepth":Infinity,"flipperLength":210,"bodyMass":4800}]""", "[2].beakDepth", "not valid JSON")]
    [InlineData("[" + Good + ",5]", "[1]", "must be a JSON object")]
    [InlineData("[" + Good + ",NaN]", "[1]", "not valid JSON")]
    [InlineData("42", "body", "a JSON object (one penguin) or an array")]
    [InlineData("", "body", "not valid JSON")]
    [InlineData("{\"island\":\"Dream\",", "body", "not valid JSON")]
    public async Task A_bad_penguin_is_a_400_naming_the_field(string body, string field, string message)
    {
        using var client = service.CreateClient();
        using var response = await client.PostAsync("/predict", Penguins.Raw(body));
        var errors = await ProblemErrors(response);
        Assert.True(errors.ContainsKey(field), $"no error for '{field}': {string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}"))}");
        Assert.Contains(message, string.Join(" ", errors[field]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_bad_field_of_a_penguin_is_named_at_once()
    {
        using var client = service.CreateClient();
        using var response = await client.PostAsync("/predict", Penguins.Raw("""[{"Island":"Dream","beakLength":"x","bodyMass":1e300}]"""));
        var errors = await ProblemErrors(response);
        Assert.Equal(["[0].beakDepth", "[0].beakLength", "[0].bodyMass", "[0].flipperLength"], errors.Keys.Order());
    }

    [Fact]
    public async Task A_batch_larger_than_the_limit_is_refused_before_any_prediction()
    {
        using var client = service.CreateClient();
        var body = "[" + string.Join(",", Enumerable.Repeat(Good, 1_001)) + "]";
        using var response = await client.PostAsync("/predict", Penguins.Raw(body));
        var errors = await ProblemErrors(response);
        Assert.Contains("at most 1,000 penguins; this one has 1,001", Assert.Single(errors["body"]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Field_names_are_matched_without_regard_to_case_and_unknown_fields_are_ignored()
    {
        using var client = service.CreateClient();
        using var exact = await client.PostAsync("/predict", Penguins.Raw(Good));
        using var shouting = await client.PostAsync("/predict", Penguins.Raw(
            """{"ISLAND":"Dream","BeakLength":46.5,"beakdepth":17.9,"FlipperLength":192,"bodyMass":3500,"species":"?"}"""));
        Assert.Equal(HttpStatusCode.OK, exact.StatusCode);
        Assert.Equal(HttpStatusCode.OK, shouting.StatusCode);
        Assert.Equal(await exact.Content.ReadAsStringAsync(), await shouting.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_empty_batch_gets_an_empty_answer()
    {
        using var client = service.CreateClient();
        using var response = await client.PostAsync("/predict", Penguins.Raw("[]"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty((await response.Content.ReadFromJsonAsync<List<PredictionJson>>())!);
    }

    private static async Task<Dictionary<string, string[]>> ProblemErrors(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"HTTP {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(text);
        Assert.Equal(400, problem.RootElement.GetProperty("status").GetInt32());
        return problem.RootElement.GetProperty("errors").Deserialize<Dictionary<string, string[]>>()!;
    }
}
