using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

// Latency and throughput of samples/WebService over loopback: starts the built service as a
// separate process on 127.0.0.1, checks it answers, then sends POST /predict at each concurrency
// level, bounded in count and in time, and checks every answer against the one a single client got.
//   dotnet run -c Release --project benchmarks/MLNet.AdamW.WebServiceLoad [-- --requests 20000 --seconds 15 --levels 1,16,200 --warmup 20000]
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var requests = Option("--requests", 20_000);
var seconds = Option("--seconds", 15);
var levels = (Value("--levels") ?? "1,16,200").Split(',').Select(int.Parse).ToArray();
var warmup = Option("--warmup", 20_000);
const int BatchSize = 100;

var output = AppContext.BaseDirectory; // .../benchmarks/MLNet.AdamW.WebServiceLoad/bin/<Configuration>/net10.0/
var framework = new DirectoryInfo(output).Name;
var configuration = new DirectoryInfo(output).Parent!.Name;
var repository = new DirectoryInfo(output).Parent!.Parent!.Parent!.Parent!.Parent!.FullName;
var service = Path.Combine(repository, "samples", "WebService", "bin", configuration, framework, "WebService.dll");
if (!File.Exists(service))
    throw new FileNotFoundException($"The WebService sample was not built at {service}.");

var folder = Directory.CreateTempSubdirectory("mlnet-adamw-webservice-load-").FullName;
var port = FreePort();
var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = folder };
foreach (var argument in new[] { service, "--urls", $"http://127.0.0.1:{port}", "--Model:Path", Path.Combine(folder, "model.zip"), "--Logging:LogLevel:Default", "Warning" })
    start.ArgumentList.Add(argument);
using var server = Process.Start(start)!;
var serverErrors = new StringBuilder();
server.ErrorDataReceived += (_, e) => { lock (serverErrors) serverErrors.AppendLine(e.Data); };
server.OutputDataReceived += (_, _) => { };
server.BeginErrorReadLine();
server.BeginOutputReadLine();
try
{
    using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = levels.Max(), PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
    {
        BaseAddress = new Uri($"http://127.0.0.1:{port}"),
        Timeout = TimeSpan.FromSeconds(30),
    };
    await WaitUntilHealthy(client, server, TimeSpan.FromMinutes(2));

    // The penguins to send: a spread of species and islands; their answers from one client, one at a time.
    string[] bodies =
    [
        """{"island":"Torgersen","beakLength":39.1,"beakDepth":18.7,"flipperLength":181,"bodyMass":3750}""",
        """{"island":"Dream","beakLength":46.5,"beakDepth":17.9,"flipperLength":192,"bodyMass":3500}""",
        """{"island":"Biscoe","beakLength":46.2,"beakDepth":14.5,"flipperLength":209,"bodyMass":4800}""",
        """{"island":"Dream","beakLength":50.0,"beakDepth":19.5,"flipperLength":196,"bodyMass":3900}""",
        """{"island":"Biscoe","beakLength":37.8,"beakDepth":18.3,"flipperLength":174,"bodyMass":3400}""",
        """{"island":"Biscoe","beakLength":49.9,"beakDepth":16.1,"flipperLength":213,"bodyMass":5400}""",
        """{"island":"Torgersen","beakLength":42.5,"beakDepth":20.7,"flipperLength":197,"bodyMass":4500}""",
        """{"island":"Dream","beakLength":45.2,"beakDepth":17.8,"flipperLength":198,"bodyMass":3950}""",
    ];
    var batch = "[" + string.Join(",", Enumerable.Range(0, BatchSize).Select(i => bodies[i % bodies.Length])) + "]";
    var expected = new string[bodies.Length];
    for (var i = 0; i < bodies.Length; i++)
        expected[i] = (await Post(client, bodies[i])).Body;
    var expectedBatch = (await Post(client, batch)).Body;
    // Warm-up, singles and batches: the service's code runs at its final JIT tier only after a few
    // thousand requests (a batch took 2 ms after 200 of them and 0.23 ms after 50,000).
    await Run(client, 16, warmup, TimeSpan.FromSeconds(seconds), i => bodies[i % bodies.Length], i => expected[i % bodies.Length]);
    await Run(client, 16, warmup / 10, TimeSpan.FromSeconds(seconds), _ => batch, _ => expectedBatch);

    Console.WriteLine($"POST /predict on 127.0.0.1, {Environment.ProcessorCount} cores shared by client and server (and, here, other work), " +
        $"at most {requests:N0} requests or {seconds} s per row:");
    Console.WriteLine();
    Console.WriteLine("| concurrency | body | requests | errors | wrong answers | requests/s | penguins/s | p50 (ms) | p90 (ms) | p99 (ms) | max (ms) |");
    Console.WriteLine("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    foreach (var level in levels)
        Print(level, "1 penguin", 1, await Run(client, level, requests, TimeSpan.FromSeconds(seconds), i => bodies[i % bodies.Length], i => expected[i % bodies.Length]));
    var batchLevel = levels.Contains(16) ? 16 : levels.Max();
    Print(batchLevel, $"{BatchSize} penguins", BatchSize, await Run(client, batchLevel, Math.Max(1, requests / 10), TimeSpan.FromSeconds(seconds), _ => batch, _ => expectedBatch));
}
finally
{
    if (!server.HasExited)
        server.Kill(entireProcessTree: true);
    server.WaitForExit(10_000);
    Directory.Delete(folder, recursive: true);
}

static void Print(int level, string body, int penguinsPerRequest, Result r)
{
    var perSecond = r.Count / r.Wall.TotalSeconds;
    Console.WriteLine($"| {level} | {body} | {r.Count:N0} | {r.Errors} | {r.Wrong} | {perSecond:N0} | {perSecond * penguinsPerRequest:N0} | " +
        $"{r.Percentile(0.50):F2} | {r.Percentile(0.90):F2} | {r.Percentile(0.99):F2} | {r.Latencies.Max():F1} |");
}

static async Task<Result> Run(HttpClient client, int concurrency, int count, TimeSpan limit, Func<int, string> body, Func<int, string> expected)
{
    var latencies = new double[count];
    int next = -1, completed = 0, errors = 0, wrong = 0;
    var deadline = Stopwatch.GetTimestamp() + (long)(limit.TotalSeconds * Stopwatch.Frequency);
    var wall = Stopwatch.StartNew();
    var workers = Enumerable.Range(0, concurrency).Select(async _ =>
    {
        int i;
        while ((i = Interlocked.Increment(ref next)) < count && Stopwatch.GetTimestamp() < deadline)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                var (status, text) = await Post(client, body(i));
                if (status != HttpStatusCode.OK)
                    Interlocked.Increment(ref errors);
                else if (text != expected(i))
                    Interlocked.Increment(ref wrong);
            }
            catch (HttpRequestException)
            {
                Interlocked.Increment(ref errors);
            }
            catch (TaskCanceledException)
            {
                Interlocked.Increment(ref errors);
            }
            latencies[Interlocked.Increment(ref completed) - 1] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }
    }).ToArray();
    await Task.WhenAll(workers);
    wall.Stop();
    return new Result(completed, errors, wrong, wall.Elapsed, latencies[..completed]);
}

static async Task<(HttpStatusCode Status, string Body)> Post(HttpClient client, string body)
{
    using var content = new StringContent(body, Encoding.UTF8, "application/json");
    using var response = await client.PostAsync("/predict", content);
    return (response.StatusCode, await response.Content.ReadAsStringAsync());
}

static async Task WaitUntilHealthy(HttpClient client, Process server, TimeSpan limit)
{
    var clock = Stopwatch.StartNew();
    while (clock.Elapsed < limit)
    {
        if (server.HasExited)
            throw new InvalidOperationException($"The service exited with code {server.ExitCode}.");
        try
        {
            using var response = await client.GetAsync("/health");
            if (response.IsSuccessStatusCode)
                return;
        }
        catch (HttpRequestException)
        {
            // Not listening yet (it may be training its model).
        }
        await Task.Delay(250);
    }
    throw new TimeoutException($"The service was not healthy within {limit.TotalSeconds:F0} s.");
}

static int FreePort()
{
    using var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    return ((IPEndPoint)listener.LocalEndpoint).Port;
}

int Option(string name, int fallback) => Value(name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;

string? Value(string name)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}

internal sealed record Result(int Count, int Errors, int Wrong, TimeSpan Wall, double[] Latencies)
{
    public double Percentile(double p)
    {
        if (Latencies.Length == 0)
            return double.NaN;
        var sorted = Latencies.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
    }
}
