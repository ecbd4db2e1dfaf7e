using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;

namespace SmartTrip.Core.Auth;

/// <summary>
/// The public keys of <c>Auth__JwksUrl</c>, fetched at most one at a time and never on a request's critical path once
/// some are known:
/// <list type="bullet">
/// <item>keys are used for <see cref="Lifetime"/>; after that the next request starts one background refresh and goes on
/// with the keys it has (stale while refreshing);</item>
/// <item>a failed fetch is remembered: no new attempt before a backoff that doubles from 1 s up to 5 minutes, and until
/// then a request without keys is answered at once (its token makes a guest) instead of waiting;</item>
/// <item>a token whose <c>kid</c> is unknown may force one refetch a minute (keys rotated at the provider); the request
/// that forces it waits for it, the others do not force another;</item>
/// <item>every fetch gives up after <see cref="FetchTimeout"/>.</item>
/// </list>
/// </summary>
public sealed class JwksCache
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);
    public static readonly TimeSpan FetchTimeout = TimeSpan.FromSeconds(3);
    public static readonly TimeSpan UnknownKidInterval = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(5);

    private readonly Uri _url;
    private readonly HttpClient _http;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private volatile Keys? _keys;
    private Task? _fetch;
    private DateTimeOffset _retryAfter = DateTimeOffset.MinValue;
    private int _failures;
    private DateTimeOffset _lastForced = DateTimeOffset.MinValue;

    public JwksCache(Uri url, HttpClient http, TimeProvider clock, ILogger logger)
    {
        _url = url;
        _http = http;
        _clock = clock;
        _logger = logger;
    }

    /// <summary>The keys to verify with now (none when no fetch has succeeded yet).</summary>
    public async Task<IReadOnlyList<SecurityKey>> GetAsync(CancellationToken ct)
    {
        var keys = _keys;
        var now = _clock.GetUtcNow();
        if (keys is not null)
        {
            if (now - keys.FetchedAt >= Lifetime)
            {
                _ = StartFetch(now); // in the background; these keys serve meanwhile
            }

            return keys.List;
        }

        var fetch = StartFetch(now);
        if (fetch is not null)
        {
            await fetch.WaitAsync(ct);
        }

        return _keys?.List ?? [];
    }

    /// <summary>
    /// After a token named a <c>kid</c> the keys lack: refetches (and waits) when keys were fetched before and no such
    /// refetch ran in the last <see cref="UnknownKidInterval"/>, and returns the keys then known.
    /// </summary>
    public async Task<IReadOnlyList<SecurityKey>> RefreshForUnknownKidAsync(CancellationToken ct)
    {
        var now = _clock.GetUtcNow();
        lock (_gate)
        {
            if (_keys is null || now - _lastForced < UnknownKidInterval)
            {
                return _keys?.List ?? []; // no keys at all: the fetch is failing, and its backoff decides
            }

            _lastForced = now;
            _retryAfter = DateTimeOffset.MinValue; // a rotation is worth one attempt even while backing off
        }

        var fetch = StartFetch(now);
        if (fetch is not null)
        {
            await fetch.WaitAsync(ct);
        }

        return _keys?.List ?? [];
    }

    /// <summary>The fetch in flight, a new one when none is and the backoff allows it, else null.</summary>
    private Task? StartFetch(DateTimeOffset now)
    {
        lock (_gate)
        {
            if (_fetch is null && now >= _retryAfter)
            {
                _fetch = Task.Run(FetchAsync);
            }

            return _fetch;
        }
    }

    private async Task FetchAsync()
    {
        var started = _clock.GetUtcNow();
        try
        {
            using var timeout = new CancellationTokenSource(FetchTimeout);
            var document = await _http.GetStringAsync(_url, timeout.Token);
            var keys = JwtVerifier.PublicKeys(new JsonWebKeySet(document));
            lock (_gate)
            {
                _keys = new Keys(keys, _clock.GetUtcNow());
                _failures = 0;
                _retryAfter = DateTimeOffset.MinValue;
            }
        }
        catch (Exception exception) when (exception is HttpRequestException or OperationCanceledException or ArgumentException)
        {
            TimeSpan backoff;
            lock (_gate)
            {
                _failures++;
                backoff = TimeSpan.FromSeconds(Math.Min(Math.Pow(2, _failures - 1), MaxBackoff.TotalSeconds));
                _retryAfter = started + backoff; // counted from the attempt, so a slow failure does not stretch it
            }

            _logger.LogWarning(exception, "Could not fetch the JWKS document from {JwksUrl}; next attempt in {BackoffSeconds} s",
                _url, backoff.TotalSeconds);
        }
        finally
        {
            lock (_gate)
            {
                _fetch = null;
            }
        }
    }

    private sealed record Keys(IReadOnlyList<SecurityKey> List, DateTimeOffset FetchedAt);
}
