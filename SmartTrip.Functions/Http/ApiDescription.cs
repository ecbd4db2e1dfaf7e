namespace SmartTrip.Functions.Http;

/// <summary>
/// A response an HTTP function gives (the OpenAPI document is built from these): its status and, unless empty, the type
/// of its JSON body. Every function also answers 500 and 503, and one that reads a body 413, with the error body of its
/// <see cref="ErrorShape"/>; key-protected ones 401 with none.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class ApiResponseAttribute(int status, Type? body, string description) : Attribute
{
    public int Status { get; } = status;
    public Type? Body { get; } = body;
    public string Description { get; } = description;
}

/// <summary>The JSON body an HTTP function reads (documented loosely where the function accepts more than it uses).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ApiRequestBodyAttribute(Type body, string description) : Attribute
{
    public Type Body { get; } = body;
    public string Description { get; } = description;
}

/// <summary>How a query parameter is read (<see cref="QueryReader"/>) and described (the OpenAPI document).</summary>
public enum QueryShape
{
    /// <summary>Text that can be stored.</summary>
    Text,

    /// <summary>An optional '-' and ASCII digits within 32 bits; anything else is a 400.</summary>
    Integer,

    /// <summary>An <see cref="Integer"/> that must not be negative (limit, offset).</summary>
    Count,

    /// <summary>An invariant decimal such as 9000 or 9000.5; anything else is a 400.</summary>
    Number,

    /// <summary><c>YYYY-MM-DD</c> or an ISO 8601 date-time (its date part); anything else is ignored.</summary>
    Date,

    /// <summary>Exactly <c>YYYY-MM-DD</c>; anything else takes the default.</summary>
    Day,

    /// <summary>True only for "true", in any case.</summary>
    Flag,

    /// <summary>An integer that falls back to its <see cref="ApiQueryAttribute.Default"/> when unreadable, then is clamped.</summary>
    Clamped,

    /// <summary>One of <see cref="ApiQueryAttribute.Values"/>; absent is the <see cref="ApiQueryAttribute.Default"/>; another value is a 400.</summary>
    Choice,
}

/// <summary>
/// A query parameter an HTTP function reads: the one declaration that both the function's <see cref="QueryReader"/>
/// (which refuses to read a parameter not declared here) and the OpenAPI document use.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class ApiQueryAttribute(string name, QueryShape shape, string description) : Attribute
{
    public string Name { get; } = name;
    public QueryShape Shape { get; } = shape;
    public string Description { get; } = description;

    /// <summary>The lowest value (<see cref="QueryShape.Clamped"/>).</summary>
    public int Minimum { get; init; } = int.MinValue;

    /// <summary>The highest value (<see cref="QueryShape.Clamped"/>).</summary>
    public int Maximum { get; init; } = int.MaxValue;

    /// <summary>The value when absent (or unreadable, for <see cref="QueryShape.Clamped"/>); null when there is none.</summary>
    public object? Default { get; init; }

    /// <summary>The accepted values (<see cref="QueryShape.Choice"/>).</summary>
    public string[] Values { get; init; } = [];
}

/// <summary>One-line summary of an operation.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ApiSummaryAttribute(string summary) : Attribute
{
    public string Summary { get; } = summary;
}
