using Parley.Server;

var builder = WebApplication.CreateBuilder(args);
builder.AddParleyServer();

var app = builder.Build();
await app.PrepareDatabaseAsync(app.Lifetime.ApplicationStopping);
app.MapParley();
await app.RunAsync();

/// <summary>Entry point, visible to the test host.</summary>
public partial class Program;
