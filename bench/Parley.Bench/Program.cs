using Parley.Bench;

return await BenchApp.RunAsync(args);
