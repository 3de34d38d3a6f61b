using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Parley.Domain;

namespace Parley.Transactional.Persistence;

internal sealed class AccountIdConverter() : ValueConverter<AccountId, Guid>(id => id.Value, g => new AccountId(g));
