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

/// <summary>A query parameter an HTTP function reads.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class ApiQueryAttribute(string name, Type type, string description) : Attribute
{
    public string Name { get; } = name;
    public Type Type { get; } = type;
    public string Description { get; } = description;
}

/// <summary>One-line summary of an operation.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ApiSummaryAttribute(string summary) : Attribute
{
    public string Summary { get; } = summary;
}
