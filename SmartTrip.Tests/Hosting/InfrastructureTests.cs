using System.Diagnostics;
using System.Text.Json;
using SmartTrip.Tests.Fixtures;

namespace SmartTrip.Tests.Hosting;

/// <summary>
/// The Azure templates as Azure Resource Manager receives them (infra/main.bicep built to JSON): each check is one of
/// the security review's findings that the templates must not bring back.
/// </summary>
[Trait("Category", "Unit")]
public sealed class InfrastructureTests
{
    private static readonly Lazy<JsonElement> Template = new(Build);

    private static JsonElement Build()
    {
        var output = Path.Combine(Path.GetTempPath(), $"smarttrip-main-{Guid.NewGuid():N}.json");
        var start = new ProcessStartInfo(Path.Combine(TestServices.RepositoryRoot, "scripts", "bicep.sh"))
        {
            ArgumentList = { "build", Path.Combine(TestServices.RepositoryRoot, "infra", "main.bicep"), "--outfile", output },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"bicep build failed: {error}");
        try
        {
            return JsonDocument.Parse(File.ReadAllText(output)).RootElement.Clone();
        }
        finally
        {
            File.Delete(output);
        }
    }

    /// <summary>Every resource of the template and of its modules (nested deployments), with its type.</summary>
    private static IEnumerable<JsonElement> Resources(JsonElement template)
    {
        var resources = template.GetProperty("resources");
        var list = resources.ValueKind == JsonValueKind.Object ? resources.EnumerateObject().Select(p => p.Value) : resources.EnumerateArray();
        foreach (var resource in list)
        {
            yield return resource;
            if (resource.GetProperty("type").GetString() == "Microsoft.Resources/deployments")
            {
                foreach (var inner in Resources(resource.GetProperty("properties").GetProperty("template")))
                {
                    yield return inner;
                }
            }
        }
    }

    private static List<JsonElement> OfType(string type) =>
        Resources(Template.Value).Where(r => r.GetProperty("type").GetString() == type).ToList();

    private static JsonElement Single(string type) => Assert.Single(OfType(type));

    private static JsonElement Properties(JsonElement resource) => resource.GetProperty("properties");

    /// <summary>The nested template (module) that declares a resource of the type.</summary>
    private static JsonElement ModuleDeclaring(JsonElement template, string type)
    {
        foreach (var resource in Resources(template).Where(r => r.GetProperty("type").GetString() == "Microsoft.Resources/deployments"))
        {
            var inner = resource.GetProperty("properties").GetProperty("template");
            var own = inner.GetProperty("resources");
            var list = own.ValueKind == JsonValueKind.Object ? own.EnumerateObject().Select(p => p.Value) : own.EnumerateArray();
            if (list.Any(r => r.GetProperty("type").GetString() == type))
            {
                return inner;
            }
        }

        throw new Xunit.Sdk.XunitException($"no module declares {type}");
    }

    [Fact]
    public void Operators_are_alerted_on_5xx_share_events_set_aside_and_drain_lag_with_queries_on_what_the_app_emits()
    {
        var monitoring = ModuleDeclaring(Template.Value, "Microsoft.Insights/scheduledQueryRules");
        var rules = monitoring.GetProperty("variables").GetProperty("alertRules").EnumerateArray()
            .ToDictionary(r => r.GetProperty("name").GetString()!);

        Assert.Equal(["drain-lag", "events-set-aside", "server-errors"], rules.Keys.Order());
        foreach (var rule in rules.Values)
        {
            // The measured column is computed by the rule's own query.
            Assert.Contains(rule.GetProperty("measure").GetString()!, rule.GetProperty("query").GetString());
        }

        Assert.Contains("resultCode) >= 500", rules["server-errors"].GetProperty("query").GetString());
        var setAside = rules["events-set-aside"].GetProperty("query").GetString()!;
        Assert.Contains("\"smarttrip.events.dead_lettered\"", setAside);
        Assert.Contains("\"smarttrip.queue.messages_poisoned\"", setAside);
        // A rate, not "more than zero": one odd event does not page anyone (the edge refuses what the database cannot store).
        Assert.Contains("setAsidePerHour = setAside * 4.0", setAside); // the rule's window is 15 minutes
        Assert.Equal("[parameters('setAsideAlertPerHour')]", rules["events-set-aside"].GetProperty("threshold").GetString());
        Assert.Contains("customDimensions[\"smarttrip.drain.lag\"]", rules["drain-lag"].GetProperty("query").GetString());
        Assert.Equal("[parameters('drainLagAlertSeconds')]", rules["drain-lag"].GetProperty("threshold").GetString());

        // Every rule notifies the operators' action group (when an address is given), like the database storage alert.
        var alerts = Single("Microsoft.Insights/scheduledQueryRules");
        Assert.Equal("[variables('actionGroups')]", Properties(alerts).GetProperty("actions").GetProperty("actionGroups").GetString());
        Assert.Contains("Microsoft.Insights/actionGroups", monitoring.GetProperty("variables").GetProperty("actionGroups").GetString());
    }

    [Fact]
    public void The_database_is_never_open_to_every_azure_service_and_its_disk_grows_with_an_alert_at_80_percent()
    {
        var rules = OfType("Microsoft.DBforPostgreSQL/flexibleServers/firewallRules");
        Assert.Equal(2, rules.Count); // the developer's address and the app's egress address, in the public mode only
        Assert.DoesNotContain(rules, r => Properties(r).GetProperty("startIpAddress").GetString() == "0.0.0.0");

        var server = Single("Microsoft.DBforPostgreSQL/flexibleServers");
        Assert.Equal("Enabled", Properties(server).GetProperty("storage").GetProperty("autoGrow").GetString());
        var alert = Properties(Single("Microsoft.Insights/metricAlerts")).GetProperty("criteria").GetProperty("allOf")[0];
        Assert.Equal(("storage_percent", "GreaterThan", 80), (alert.GetProperty("metricName").GetString(), alert.GetProperty("operator").GetString(), alert.GetProperty("threshold").GetInt32()));
    }

    [Fact]
    public void Instances_times_pool_size_never_exceeds_the_connections_the_server_leaves_the_app()
    {
        var template = Template.Value;
        var variables = template.GetProperty("variables");
        var instances = template.GetProperty("parameters").GetProperty("maximumInstanceCount");
        // A B1ms server allows 50 connections and Azure reserves 15 of them: 35 are the users'. Before the second
        // security review the template counted 50 - 10 = 40 for the app alone, more than there were.
        Assert.Equal((50, 15), (variables.GetProperty("serverConnections").GetInt32(), variables.GetProperty("azureReserved").GetInt32()));
        var operators = variables.GetProperty("operatorConnections").GetInt32();
        var budget = 50 - 15 - operators;
        Assert.Equal("[sub(sub(variables('serverConnections'), variables('azureReserved')), variables('operatorConnections'))]",
            variables.GetProperty("connectionBudget").GetString());
        var secret = Properties(OfType("Microsoft.KeyVault/vaults/secrets").Single(s => s.GetProperty("name").GetString()!.EndsWith("'smarttrip-db')]", StringComparison.Ordinal)));

        Assert.True(operators >= 3, "room for operators: migrations, psql, the archive tool");
        Assert.Contains("Maximum Pool Size=", secret.GetProperty("value").GetString());
        Assert.Contains("parameters('appLogin'), parameters('appPassword')", secret.GetProperty("value").GetString()); // the data-only login
        Assert.DoesNotContain("administrator", secret.GetProperty("value").GetString());
        Assert.Contains("Ssl Mode=VerifyFull", secret.GetProperty("value").GetString());
        for (var n = instances.GetProperty("minValue").GetInt32(); n <= instances.GetProperty("maxValue").GetInt32(); n++)
        {
            Assert.True(n * Math.Max(2, budget / n) <= budget, $"{n} instances × pool {Math.Max(2, budget / n)} > {budget}");
            Assert.True(budget / n >= 2, $"{n} instances leave a pool of {budget / n}: the drain's half would be nothing");
        }
    }

    [Fact]
    public void Storage_takes_no_public_traffic_and_is_reached_through_private_endpoints_for_blob_queue_and_table()
    {
        var storage = Properties(Single("Microsoft.Storage/storageAccounts"));
        var endpoints = OfType("Microsoft.Network/privateEndpoints");
        var zoneGroups = OfType("Microsoft.Network/privateEndpoints/privateDnsZoneGroups");
        var zones = OfType("Microsoft.Network/privateDnsZones").Select(z => z.GetProperty("name").GetString()!).ToList();

        Assert.False(storage.GetProperty("allowSharedKeyAccess").GetBoolean());
        // Disabled unless a deployment address is given; even then only that address passes the firewall.
        Assert.Equal("[if(empty(parameters('deploymentClientIp')), 'Disabled', 'Enabled')]", storage.GetProperty("publicNetworkAccess").GetString());
        Assert.Equal(("Deny", "None"), (storage.GetProperty("networkAcls").GetProperty("defaultAction").GetString(),
            storage.GetProperty("networkAcls").GetProperty("bypass").GetString()));
        Assert.Equal("", Template.Value.GetProperty("parameters").GetProperty("storageDeploymentClientIp").GetProperty("defaultValue").GetString());
        var endpoint = Assert.Single(endpoints);
        Assert.Equal("[length(createArray('blob', 'queue', 'table'))]", endpoint.GetProperty("copy").GetProperty("count").GetString());
        Assert.Equal("[createArray('blob', 'queue', 'table')[copyIndex()]]",
            Properties(endpoint).GetProperty("privateLinkServiceConnections")[0].GetProperty("properties").GetProperty("groupIds")[0].GetString());
        Assert.Single(zoneGroups);
        Assert.Contains(zones, z => z.Contains("privatelink.", StringComparison.Ordinal));
    }

    [Fact]
    public void The_logs_archive_has_its_container_a_rule_to_the_cool_tier_and_the_apps_setting()
    {
        var container = OfType("Microsoft.Storage/storageAccounts/blobServices/containers")
            .Single(c => c.GetProperty("name").GetString()!.EndsWith("'archive')]", StringComparison.Ordinal));
        var rule = Properties(Single("Microsoft.Storage/storageAccounts/managementPolicies"))
            .GetProperty("policy").GetProperty("rules").EnumerateArray().Single(r => r.GetProperty("name").GetString() == "archive-to-cool");
        var settings = Properties(Single("Microsoft.Web/sites/config"));

        var definition = rule.GetProperty("definition");
        Assert.Equal("archive-to-cool", rule.GetProperty("name").GetString());
        Assert.Equal("[format('{0}/table=', 'archive')]", definition.GetProperty("filters").GetProperty("prefixMatch")[0].GetString()); // archive/table=
        Assert.Equal("[parameters('archiveCoolAfterDays')]", definition.GetProperty("actions").GetProperty("baseBlob")
            .GetProperty("tierToCool").GetProperty("daysAfterModificationGreaterThan").GetString());
        Assert.Equal("[parameters('archiveContainer')]", settings.GetProperty("Lifecycle__ArchiveContainer").GetString());
    }

    /// <summary>
    /// The app's identity reads only its own secrets: each role assignment is scoped to one secret, none to the vault,
    /// and none to the administrator's connection string. Before, one assignment on the vault let the app read them all.
    /// </summary>
    [Fact]
    public void The_apps_identity_reads_only_its_own_secrets()
    {
        var vaultModule = ModuleDeclaring(Template.Value, "Microsoft.KeyVault/vaults");
        var own = vaultModule.GetProperty("resources");
        var assignments = (own.ValueKind == JsonValueKind.Object ? own.EnumerateObject().Select(p => p.Value) : own.EnumerateArray())
            .Where(r => r.GetProperty("type").GetString() == "Microsoft.Authorization/roleAssignments").ToList();

        Assert.Equal(2, assignments.Count);
        Assert.All(assignments, a => Assert.Contains("Microsoft.KeyVault/vaults/secrets", a.GetProperty("scope").GetString()));
        Assert.Contains(assignments, a => a.GetProperty("scope").GetString()!.Contains("'smarttrip-db')", StringComparison.Ordinal));
        Assert.Contains(assignments, a => a.GetProperty("scope").GetString()!.Contains("'jwt-secret')", StringComparison.Ordinal));
        Assert.DoesNotContain(assignments, a => a.GetProperty("scope").GetString()!.Contains("smarttrip-db-admin", StringComparison.Ordinal));
    }

    /// <summary>
    /// Storage roles sit on containers and queues, never on the account: the app only reads its deployment package (it
    /// cannot replace the code it runs), writes the archive, which is versioned, soft-deleted, immutable for its retention
    /// and then deleted by a rule.
    /// </summary>
    [Fact]
    public void Storage_roles_are_scoped_to_containers_and_queues_and_the_archive_is_immutable_for_its_retention()
    {
        var assignments = OfType("Microsoft.Authorization/roleAssignments")
            .Where(a => a.TryGetProperty("scope", out var scope) && scope.GetString()!.Contains("Microsoft.Storage", StringComparison.Ordinal))
            .Select(a => a.GetProperty("scope").GetString()!).ToList();
        var blobs = Properties(Single("Microsoft.Storage/storageAccounts/blobServices"));
        var immutability = Properties(Single("Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies"));
        var rules = Properties(Single("Microsoft.Storage/storageAccounts/managementPolicies")).GetProperty("policy").GetProperty("rules")
            .EnumerateArray().ToDictionary(r => r.GetProperty("name").GetString()!);

        Assert.NotEmpty(assignments);
        Assert.All(assignments, scope => Assert.Matches("containers|queues", scope));
        var package = OfType("Microsoft.Authorization/roleAssignments").Single(a => a.GetProperty("scope").GetString()!.Contains("'deployments')", StringComparison.Ordinal));
        Assert.Contains("variables('blobDataReader')", Properties(package).GetProperty("roleDefinitionId").GetString());
        Assert.Equal("2a2b9908-6ea1-4ae2-8e65-a410df84e7d1", // Storage Blob Data Reader
            ModuleDeclaring(Template.Value, "Microsoft.Storage/storageAccounts").GetProperty("variables").GetProperty("blobDataReader").GetString());
        Assert.True(blobs.GetProperty("isVersioningEnabled").GetBoolean());
        Assert.True(blobs.GetProperty("deleteRetentionPolicy").GetProperty("enabled").GetBoolean());
        Assert.Equal("[parameters('archiveRetentionDays')]", immutability.GetProperty("immutabilityPeriodSinceCreationInDays").GetString());
        Assert.False(immutability.GetProperty("allowProtectedAppendWrites").GetBoolean());
        Assert.Equal("[add(parameters('archiveRetentionDays'), 1)]", rules["archive-retention"].GetProperty("definition").GetProperty("actions")
            .GetProperty("baseBlob").GetProperty("delete").GetProperty("daysAfterModificationGreaterThan").GetString());
    }

    [Fact]
    public void Key_vault_keeps_deleted_secrets_and_accepts_only_the_app_subnet()
    {
        var vault = Properties(Single("Microsoft.KeyVault/vaults"));

        Assert.True(vault.GetProperty("enablePurgeProtection").GetBoolean());
        Assert.Equal("Deny", vault.GetProperty("networkAcls").GetProperty("defaultAction").GetString());
        Assert.Equal(1, vault.GetProperty("networkAcls").GetProperty("virtualNetworkRules").GetArrayLength());
    }

    [Fact]
    public void The_app_takes_only_its_front_doors_traffic_publishes_without_passwords_and_names_its_cors_origins()
    {
        var site = Properties(OfType("Microsoft.Web/sites").Single());
        var config = site.GetProperty("siteConfig");
        var allow = Assert.Single(config.GetProperty("ipSecurityRestrictions").EnumerateArray());

        Assert.Equal("Deny", config.GetProperty("ipSecurityRestrictionsDefaultAction").GetString());
        Assert.Equal(("ServiceTag", "AzureFrontDoor.Backend"), (allow.GetProperty("tag").GetString(), allow.GetProperty("ipAddress").GetString()));
        Assert.True(allow.GetProperty("headers").TryGetProperty("x-azure-fdid", out _));
        Assert.False(Template.Value.GetProperty("parameters").GetProperty("corsAllowedOrigins").TryGetProperty("defaultValue", out _));
        var policies = OfType("Microsoft.Web/sites/basicPublishingCredentialsPolicies");
        Assert.Equal(2, policies.Count);
        Assert.All(policies, p => Assert.False(Properties(p).GetProperty("allow").GetBoolean()));
    }

    [Fact]
    public void Anonymous_writes_are_rate_limited_per_address_at_the_edge()
    {
        var rules = Properties(Single("Microsoft.Network/FrontDoorWebApplicationFirewallPolicies"))
            .GetProperty("customRules").GetProperty("rules").EnumerateArray().ToList();
        var paths = rules.SelectMany(r => r.GetProperty("matchConditions").EnumerateArray())
            .Where(c => c.GetProperty("matchVariable").GetString() == "RequestUri")
            .SelectMany(c => c.GetProperty("matchValue").EnumerateArray().Select(v => v.GetString()))
            .Order(StringComparer.Ordinal);

        Assert.Equal(["AllRequests", "HealthChecks", "Searches", "TrackingWrites"], rules.Select(r => r.GetProperty("name").GetString()).Order());
        Assert.All(rules, r =>
            Assert.Equal(("RateLimitRule", "Block", 1), (r.GetProperty("ruleType").GetString(), r.GetProperty("action").GetString(), r.GetProperty("rateLimitDurationInMinutes").GetInt32())));
        Assert.Equal(["/api/events", "/api/health", "/api/session/start", "/api/user/identify", "/api/v2/recommendations"], paths);
        // Matched URL-decoded then lower-cased: /api/%65vents/batch is /api/events/batch (before, only lower-cased).
        Assert.All(rules.SelectMany(r => r.GetProperty("matchConditions").EnumerateArray()).Where(c => c.GetProperty("matchVariable").GetString() == "RequestUri"),
            c => Assert.Equal("[variables('pathTransforms')]", c.GetProperty("transforms").GetString()));
        Assert.Equal(["UrlDecode", "Lowercase"], ModuleDeclaring(Template.Value, "Microsoft.Network/FrontDoorWebApplicationFirewallPolicies")
            .GetProperty("variables").GetProperty("pathTransforms").EnumerateArray().Select(t => t.GetString()));
        // Front Door forwards the API only: the host's /admin/* is never reachable from the internet.
        Assert.Equal(["/api/*"], Properties(Single("Microsoft.Cdn/profiles/afdEndpoints/routes")).GetProperty("patternsToMatch").EnumerateArray().Select(p => p.GetString()));
        var diagnostics = Properties(Single("Microsoft.Insights/diagnosticSettings"));
        Assert.Contains(diagnostics.GetProperty("logs").EnumerateArray(), l => l.GetProperty("category").GetString() == "FrontDoorWebApplicationFirewallLog");
        // A deployment names its token issuer: no empty default.
        var issuer = Template.Value.GetProperty("parameters").GetProperty("jwtIssuer");
        Assert.False(issuer.TryGetProperty("defaultValue", out _));
        Assert.Equal(1, issuer.GetProperty("minLength").GetInt32());
        Assert.Single(OfType("Microsoft.Cdn/profiles/securityPolicies"));
    }
}
