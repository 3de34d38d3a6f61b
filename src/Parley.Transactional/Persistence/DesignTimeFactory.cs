using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Parley.Transactional.Persistence;

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without a database.</summary>
internal sealed class DesignTimeFactory : IDesignTimeDbContextFactory<ParleyDbContext>
{
    public ParleyDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<ParleyDbContext>()
            .UseNpgsql("Host=localhost;Database=parley_design")
            .UseSnakeCaseNamingConvention()
            .Options);
}
