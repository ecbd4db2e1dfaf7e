using System.Collections.Frozen;
using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http;
using SmartTrip.Core.Json;
using SmartTrip.Core.Validation;

namespace SmartTrip.Functions.Http;

/// <summary>
/// Reads a function's query parameters by the rules of api.md §1.5 and §8, each as its <see cref="ApiQueryAttribute"/>
/// declares it: a parameter the function does not declare, or reads in another shape, is a defect (an
/// <see cref="InvalidOperationException"/>, so every test of that endpoint fails), which keeps the OpenAPI document and
/// the code from drifting apart. An absent and an empty parameter are the same; the first invalid parameter is kept in
/// <see cref="Error"/> (the caller answers 400 with it).
/// </summary>
public sealed class QueryReader
{
    private static readonly FrozenDictionary<string, FrozenDictionary<string, ApiQueryAttribute>> Declarations =
        HttpRouteTable.Default.Routes.ToFrozenDictionary(r => r.Name, r => DeclarationsOf(r.Method), StringComparer.Ordinal);

    private readonly IQueryCollection _query;
    private readonly string _function;
    private readonly FrozenDictionary<string, ApiQueryAttribute> _declared;

    public QueryReader(IQueryCollection query, string function, IEnumerable<ApiQueryAttribute> declared)
    {
        _query = query;
        _function = function;
        _declared = declared.ToFrozenDictionary(d => d.Name, StringComparer.Ordinal);
    }

    /// <summary>The reader of the calling function's declared parameters (the caller is the function's method).</summary>
    public static QueryReader Of(HttpRequest request, [CallerMemberName] string function = "") =>
        new(request.Query, function, Declarations.TryGetValue(function, out var declared) ? declared.Values : []);

    /// <summary>A function's declared query parameters by name (two declarations of one name are a defect).</summary>
    public static FrozenDictionary<string, ApiQueryAttribute> DeclarationsOf(MethodInfo function) =>
        function.GetCustomAttributes<ApiQueryAttribute>().ToFrozenDictionary(d => d.Name, StringComparer.Ordinal);

    public string? Error { get; private set; }

    public bool IsValid => Error is null;

    /// <summary>The parameter's text (<see cref="QueryShape.Text"/>); one that cannot be stored is an error.</summary>
    public string? String(string name) => Text(Declared(name, QueryShape.Text));

    /// <summary>An <see cref="QueryShape.Integer"/>.</summary>
    public int? Int(string name) => Integer(Declared(name, QueryShape.Integer));

    /// <summary>A <see cref="QueryShape.Count"/>: an integer that must not be negative (limit, offset).</summary>
    public int? Count(string name)
    {
        var value = Integer(Declared(name, QueryShape.Count));
        if (value < 0)
        {
            Fail($"Invalid query parameter: {name} must not be negative");
            return null;
        }

        return value;
    }

    /// <summary>A <see cref="QueryShape.Number"/>: an invariant decimal such as 9000 or 9000.5.</summary>
    public decimal? Number(string name)
    {
        var declaration = Declared(name, QueryShape.Number);
        var text = Text(declaration);
        if (text is null)
        {
            return null;
        }

        if (IsDecimalText(text) && decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint,
                CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        Fail($"Invalid query parameter: {name} must be a number");
        return null;
    }

    /// <summary>A <see cref="QueryShape.Date"/>: <c>YYYY-MM-DD</c> or an ISO 8601 date-time (its date part); anything else is ignored.</summary>
    public DateOnly? Date(string name) => IsoDates.Parse(Text(Declared(name, QueryShape.Date)));

    /// <summary>A <see cref="QueryShape.Day"/>: exactly <c>YYYY-MM-DD</c>, anything else is not given.</summary>
    public DateOnly? Day(string name) =>
        DateOnly.TryParseExact(Raw(Declared(name, QueryShape.Day)), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? day : null;

    /// <summary>A <see cref="QueryShape.Flag"/>: true only for "true", in any case.</summary>
    public bool Flag(string name) => string.Equals(Text(Declared(name, QueryShape.Flag)), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>A <see cref="QueryShape.Clamped"/> integer: its default when unreadable, then within its bounds.</summary>
    public int Clamped(string name)
    {
        var declaration = Declared(name, QueryShape.Clamped);
        var fallback = declaration.Default as int? ?? throw Undeclared(name, "a Clamped parameter needs an integer Default");
        var value = int.TryParse(Raw(declaration), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var read) ? read : fallback;
        return Math.Clamp(value, declaration.Minimum, declaration.Maximum);
    }

    /// <summary>
    /// A <see cref="QueryShape.Choice"/>: one of its values (exactly as written), its default when absent; another value
    /// is an error that lists the valid ones.
    /// </summary>
    public string? Choice(string name)
    {
        var declaration = Declared(name, QueryShape.Choice);
        var text = Text(declaration);
        if (text is null)
        {
            return declaration.Default as string;
        }

        if (declaration.Values.Contains(text, StringComparer.Ordinal))
        {
            return text;
        }

        Fail($"Invalid {name}: {text}. Valid values: {string.Join(", ", declaration.Values.Order(StringComparer.Ordinal))}");
        return null;
    }

    /// <summary>
    /// The range of two <see cref="QueryShape.Day"/> parameters (api.md §8.2): the end defaults to <paramref name="today"/>,
    /// the start to <paramref name="defaultDays"/> before the end, and a range longer than <paramref name="maxDays"/>
    /// keeps its end. Day arithmetic stays within <see cref="DateOnly"/>: 0001-01-01 has no day before it.
    /// </summary>
    public (DateOnly Start, DateOnly End) DayRange(string startName, string endName, DateOnly today, int defaultDays, int maxDays)
    {
        static DateOnly DaysBefore(DateOnly day, int days) => DateOnly.FromDayNumber(Math.Max(0, day.DayNumber - days));
        var end = Day(endName) ?? today;
        var start = Day(startName) ?? DaysBefore(end, defaultDays);
        return end.DayNumber - start.DayNumber > maxDays ? (DaysBefore(end, maxDays), end) : (start, end);
    }

    private ApiQueryAttribute Declared(string name, QueryShape shape) =>
        _declared.TryGetValue(name, out var declaration) && declaration.Shape == shape
            ? declaration
            : throw Undeclared(name, $"it is read as {shape}, and its [ApiQuery] attributes {(declaration is null ? "do not declare it" : $"declare {declaration.Shape}")}");

    private InvalidOperationException Undeclared(string name, string why) =>
        new($"{_function} reads the query parameter '{name}', but {why}.");

    private string? Raw(ApiQueryAttribute declaration)
    {
        var values = _query[declaration.Name];
        return values.Count > 0 && !string.IsNullOrEmpty(values[0]) ? values[0] : null;
    }

    private string? Text(ApiQueryAttribute declaration)
    {
        var text = Raw(declaration);
        if (!StorableText.IsStorable(text))
        {
            Fail($"Invalid query parameter: {declaration.Name} {StorableText.Refused}");
            return null;
        }

        return text;
    }

    private int? Integer(ApiQueryAttribute declaration)
    {
        var text = Text(declaration);
        if (text is null)
        {
            return null;
        }

        if (IsIntegerText(text) && int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        Fail($"Invalid query parameter: {declaration.Name} must be an integer");
        return null;
    }

    private static bool IsIntegerText(string text)
    {
        var digits = text.AsSpan(text.StartsWith('-') ? 1 : 0);
        return digits.Length > 0 && !digits.ContainsAnyExceptInRange('0', '9');
    }

    private static bool IsDecimalText(string text)
    {
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        return dot < 0
            ? IsIntegerText(text)
            : IsIntegerText(text[..dot]) && dot + 1 < text.Length && !text.AsSpan(dot + 1).ContainsAnyExceptInRange('0', '9');
    }

    private void Fail(string message) => Error ??= message;
}
