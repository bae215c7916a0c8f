// A served model: POST /predict (one penguin or an array of them), GET /model, GET /health.
// `dotnet run --project samples/WebService` loads Model:Path (appsettings.json), or trains a model on
// the shipped penguins and saves it there when the file does not exist.
var app = WebService.ServiceApp.Build(args);
app.Run();

/// <summary>The entry point, visible to the tests' <c>WebApplicationFactory&lt;Program&gt;</c>.</summary>
public partial class Program;
