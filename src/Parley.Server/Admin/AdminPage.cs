namespace Parley.Server.Admin;

/// <summary>
/// The admin page: a static ES-module page under wwwroot/admin that talks only to the public /v1 API
/// with the key the user signs in with, so it can never show more than that key may see. Plain
/// files with no bundler: nothing to install for `./parley up` or `./parley test`, and nothing to
/// rebuild (a departure from Razor/Vite, deliberate, see README).
/// </summary>
internal static class AdminPage
{
    public static WebApplication MapAdminPage(this WebApplication app)
    {
        // A middleware, not an endpoint: routing ignores the trailing slash, so an endpoint for /admin would
        // also match /admin/ and keep the static-file middleware (which steps aside once an endpoint matched) from serving it.
        app.Use((context, next) =>
        {
            if (context.Request.Path.Value == "/admin")
            {
                context.Response.Redirect("/admin/");
                return Task.CompletedTask;
            }
            return next(context);
        });
        app.UseDefaultFiles(new DefaultFilesOptions { RequestPath = "/admin", FileProvider = Provider(app), DefaultFileNames = ["index.html"] });
        app.UseStaticFiles(new StaticFileOptions
        {
            RequestPath = "/admin",
            FileProvider = Provider(app),
            OnPrepareResponse = ctx => ctx.Context.Response.Headers.CacheControl = "no-cache",
        });
        app.MapAdminConfigEndpoints();
        return app;
    }

    private static Microsoft.Extensions.FileProviders.PhysicalFileProvider Provider(WebApplication app)
    {
        // Served from the build output (copied there by the project), so it works whatever the working directory.
        var dir = Path.Combine(AppContext.BaseDirectory, "wwwroot", "admin");
        if (!Directory.Exists(dir))
        {
            dir = Path.Combine(app.Environment.ContentRootPath, "wwwroot", "admin");
        }
        return new Microsoft.Extensions.FileProviders.PhysicalFileProvider(dir);
    }
}
