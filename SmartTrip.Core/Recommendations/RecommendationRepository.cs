using Dapper;
using Npgsql;
using SmartTrip.Core.Catalog;
using static SmartTrip.Core.Catalog.CatalogGraph;

namespace SmartTrip.Core.Recommendations;

/// <summary>The catalogue as the engine sees it at one catalogue version.</summary>
public sealed record CatalogSnapshotData(
    long Version,
    DateOnly LoadedFor,
    int PrivateTypeId,
    IReadOnlyList<TripCandidate> Candidates,
    IReadOnlyDictionary<int, int> ContinentBitByCountry);

/// <summary>
/// The SQL side of the recommendation engine: the narrow scoring rows of every occurrence that can still be
/// recommended, the catalogue version that tells when they change, and the full entity data of the winners,
/// loaded in one statement.
/// </summary>
public sealed class RecommendationRepository(NpgsqlDataSource dataSource, RecommendationOptions options)
{
    private const string VersionSql = "SELECT version FROM catalog_version";

    private const string PrivateTypeSql =
        "SELECT COALESCE((SELECT min(id) FROM trip_types WHERE name = @privateName), @privateFallback)";

    private const string CountryContinentsSql = "SELECT id, continent::text FROM countries";

    private const string CandidatesSql = """
        SELECT o.id, o.trip_template_id, o.guide_id, o.start_date, o.end_date,
               COALESCE(o.price_override, t.base_price)::float8 AS effective_price,
               o.status, o.spots_left, t.difficulty_level, t.trip_type_id, t.primary_country_id,
               c.continent::text AS continent, c.name = 'Antarctica' AS is_antarctica, t.is_active,
               COALESCE(tg.tag_ids, '{}') AS tag_ids
          FROM trip_occurrences o
          JOIN trip_templates t ON t.id = o.trip_template_id
          LEFT JOIN countries c ON c.id = t.primary_country_id
          LEFT JOIN (SELECT trip_template_id, array_agg(tag_id ORDER BY tag_id) AS tag_ids
                       FROM trip_template_tags GROUP BY trip_template_id) tg ON tg.trip_template_id = t.id
         WHERE t.is_active AND o.start_date >= @today AND o.status NOT IN ('Cancelled', 'Full')
        """;

    private const string TagColumns =
        "tg.id, tg.name, tg.name_he, tg.description AS stored_description, tg.created_at, tg.updated_at";

    private const string HydrateSql = $"""
        SELECT {OccurrenceColumns}, {TemplateColumns}, {CompanyColumns}, {TaxonColumns}, {CountryColumns}, {GuideColumns}, {TagColumns}
          FROM trip_occurrences o
          JOIN trip_templates t ON t.id = o.trip_template_id
          JOIN companies co ON co.id = t.company_id
          LEFT JOIN trip_types x ON x.id = t.trip_type_id
          LEFT JOIN countries c ON c.id = t.primary_country_id
          LEFT JOIN guides g ON g.id = o.guide_id
          LEFT JOIN trip_template_tags ttg ON ttg.trip_template_id = t.id
          LEFT JOIN tags tg ON tg.id = ttg.tag_id
         WHERE o.id = ANY(@ids)
         ORDER BY o.id, tg.id
        """;

    /// <summary>The current catalogue version.</summary>
    public async Task<long> GetVersionAsync(CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var command = new NpgsqlCommand(VersionSql, connection);
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>
    /// The version, the private-groups type id, every country's continent and the candidates departing from
    /// <paramref name="today"/> on, in one round trip and one transaction snapshot.
    /// </summary>
    public async Task<CatalogSnapshotData> LoadSnapshotAsync(DateOnly today, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        await using var batch = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                Command(VersionSql, []),
                Command(PrivateTypeSql,
                [
                    new NpgsqlParameter<string>("privateName", options.PrivateGroupsTypeName),
                    new NpgsqlParameter<int>("privateFallback", options.PrivateGroupsFallbackTypeId),
                ]),
                Command(CountryContinentsSql, []),
                Command(CandidatesSql, [new NpgsqlParameter<DateOnly>("today", today)]),
            },
        };

        long version;
        int privateTypeId;
        var continents = new Dictionary<int, int>();
        IReadOnlyList<TripCandidate> candidates;
        await using (var reader = await batch.ExecuteReaderAsync(ct))
        {
            await reader.ReadAsync(ct);
            version = reader.GetInt64(0);
            await reader.NextResultAsync(ct);
            await reader.ReadAsync(ct);
            privateTypeId = reader.GetInt32(0);
            await reader.NextResultAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                continents[reader.GetInt32(0)] = Continents.Bit(reader.GetString(1));
            }

            await reader.NextResultAsync(ct);
            candidates = await ReadCandidatesAsync(reader, ct);
        }

        await transaction.CommitAsync(ct);
        return new CatalogSnapshotData(version, today, privateTypeId, candidates, continents);
    }

    /// <summary>The full occurrences (template, company, trip type, primary country, tags, guide) for the given ids.</summary>
    public async Task<IReadOnlyDictionary<int, Occurrence>> HydrateAsync(IReadOnlyCollection<int> ids, CancellationToken ct)
    {
        if (ids.Count == 0)
        {
            return new Dictionary<int, Occurrence>();
        }

        var occurrences = new Dictionary<int, Occurrence>(ids.Count);
        var tags = new Dictionary<int, List<Taxon>>(ids.Count);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var command = new CommandDefinition(HydrateSql, new { ids = ids.ToArray() }, cancellationToken: ct);
        await connection.QueryAsync<Occurrence, Template, Company, Taxon, Country, Guide, Taxon, int>(
            command,
            (occurrence, template, company, tripType, country, guide, tag) =>
            {
                if (!occurrences.ContainsKey(occurrence.Id))
                {
                    tags[occurrence.Id] = [];
                    occurrences[occurrence.Id] = occurrence with
                    {
                        Template = template with { Company = company, TripType = tripType, PrimaryCountry = country, Countries = null },
                        Guide = guide,
                    };
                }

                if (tag is not null)
                {
                    tags[occurrence.Id].Add(tag);
                }

                return 0;
            });

        return occurrences.ToDictionary(
            pair => pair.Key,
            pair => pair.Value with { Template = pair.Value.Template with { Tags = tags[pair.Key] } });
    }

    private static NpgsqlBatchCommand Command(string sql, IEnumerable<NpgsqlParameter> parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.AddRange(parameters.ToArray());
        return command;
    }

    private static async Task<IReadOnlyList<TripCandidate>> ReadCandidatesAsync(NpgsqlDataReader reader, CancellationToken ct)
    {
        var candidates = new List<TripCandidate>();
        while (await reader.ReadAsync(ct))
        {
            candidates.Add(new TripCandidate
            {
                Id = reader.GetInt32(0),
                TemplateId = reader.GetInt32(1),
                GuideId = reader.IsDBNull(2) ? null : reader.GetInt32(2),
                StartDate = reader.GetFieldValue<DateOnly>(3),
                EndDate = reader.GetFieldValue<DateOnly>(4),
                EffectivePrice = reader.GetDouble(5),
                Status = reader.GetString(6),
                SpotsLeft = reader.GetInt32(7),
                DifficultyLevel = reader.GetInt32(8),
                TripTypeId = reader.IsDBNull(9) ? null : reader.GetInt32(9),
                PrimaryCountryId = reader.IsDBNull(10) ? null : reader.GetInt32(10),
                ContinentBit = reader.IsDBNull(11) ? 0 : Continents.Bit(reader.GetString(11)),
                IsAntarcticaCountry = !reader.IsDBNull(12) && reader.GetBoolean(12),
                TemplateIsActive = reader.GetBoolean(13),
                TagIds = reader.GetFieldValue<int[]>(14),
            });
        }

        return candidates;
    }
}
