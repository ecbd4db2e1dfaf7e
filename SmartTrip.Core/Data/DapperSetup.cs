using System.Data;
using System.Net;
using System.Text.Json;
using Dapper;

namespace SmartTrip.Core.Data;

/// <summary>Process-wide Dapper settings: snake_case columns onto PascalCase properties, DateOnly and JSONB values.</summary>
public static class DapperSetup
{
    private static int _configured;

    public static void EnsureConfigured()
    {
        if (Interlocked.Exchange(ref _configured, 1) == 1)
        {
            return;
        }

        DefaultTypeMap.MatchNamesWithUnderscores = true;
        SqlMapper.AddTypeHandler(new DateOnlyHandler());
        SqlMapper.AddTypeHandler(new JsonElementHandler());
        SqlMapper.AddTypeHandler(new IpAddressHandler());
    }

    private sealed class DateOnlyHandler : SqlMapper.TypeHandler<DateOnly>
    {
        public override DateOnly Parse(object value) => value switch
        {
            DateOnly date => date,
            DateTime dateTime => DateOnly.FromDateTime(dateTime),
            _ => throw new DataException($"Cannot read {value.GetType().Name} as a date."),
        };

        public override void SetValue(IDbDataParameter parameter, DateOnly value)
        {
            parameter.DbType = DbType.Date;
            parameter.Value = value;
        }
    }

    /// <summary>IP addresses go to INET columns as they are (Npgsql knows the type).</summary>
    private sealed class IpAddressHandler : SqlMapper.TypeHandler<IPAddress>
    {
        public override IPAddress Parse(object value) => (IPAddress)value;

        public override void SetValue(IDbDataParameter parameter, IPAddress? value) => parameter.Value = (object?)value ?? DBNull.Value;
    }

    private sealed class JsonElementHandler : SqlMapper.TypeHandler<JsonElement>
    {
        public override JsonElement Parse(object value)
        {
            using var document = JsonDocument.Parse((string)value);
            return document.RootElement.Clone();
        }

        public override void SetValue(IDbDataParameter parameter, JsonElement value)
        {
            parameter.Value = value.GetRawText();
        }
    }
}
