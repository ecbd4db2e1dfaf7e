using System.Diagnostics;
using System.Text.Json;
using SmartTrip.Tests.Integration;

namespace SmartTrip.Tests.Platform;

/// <summary>
/// The Azure templates as Azure Resource Manager receives them (infra/main.bicep built to JSON): each check is one of
/// the security review's findings that the templates must not bring back.
/// </summary>
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
        var budget = template.GetProperty("variables").GetProperty("connectionBudget").GetInt32();
        var instances = template.GetProperty("parameters").GetProperty("maximumInstanceCount");
        var secret = Properties(OfType("Microsoft.KeyVault/vaults/secrets").Single(s => s.GetProperty("name").GetString()!.EndsWith("'smarttrip-db')]", StringComparison.Ordinal)));

        Assert.Equal(40, budget); // of a B1ms server's 50, 10 stay for administration and the platform
        Assert.Contains("Maximum Pool Size=", secret.GetProperty("value").GetString());
        Assert.Contains("parameters('appLogin'), parameters('appPassword')", secret.GetProperty("value").GetString()); // the data-only login
        Assert.DoesNotContain("administrator", secret.GetProperty("value").GetString());
        Assert.Contains("Ssl Mode=VerifyFull", secret.GetProperty("value").GetString());
        for (var n = instances.GetProperty("minValue").GetInt32(); n <= instances.GetProperty("maxValue").GetInt32(); n++)
        {
            Assert.True(n * Math.Max(2, budget / n) <= budget, $"{n} instances × pool {Math.Max(2, budget / n)} > {budget}");
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
        var rule = Assert.Single(Properties(Single("Microsoft.Storage/storageAccounts/managementPolicies"))
            .GetProperty("policy").GetProperty("rules").EnumerateArray());
        var settings = Properties(Single("Microsoft.Web/sites/config"));

        var definition = rule.GetProperty("definition");
        Assert.Equal("archive-to-cool", rule.GetProperty("name").GetString());
        Assert.Equal("[format('{0}/table=', 'archive')]", definition.GetProperty("filters").GetProperty("prefixMatch")[0].GetString()); // archive/table=
        Assert.Equal("[parameters('archiveCoolAfterDays')]", definition.GetProperty("actions").GetProperty("baseBlob")
            .GetProperty("tierToCool").GetProperty("daysAfterModificationGreaterThan").GetString());
        Assert.Equal("[parameters('archiveContainer')]", settings.GetProperty("Lifecycle__ArchiveContainer").GetString());
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

        Assert.Equal(2, rules.Count);
        Assert.All(rules, r =>
        {
            Assert.Equal(("RateLimitRule", "Block", 1), (r.GetProperty("ruleType").GetString(), r.GetProperty("action").GetString(), r.GetProperty("rateLimitDurationInMinutes").GetInt32()));
            Assert.Contains(r.GetProperty("matchConditions").EnumerateArray(), c => c.GetProperty("matchVariable").GetString() == "RequestMethod");
        });
        Assert.Equal(["/api/events", "/api/session/start", "/api/user/identify", "/api/v2/recommendations"], paths);
        Assert.Single(OfType("Microsoft.Cdn/profiles/securityPolicies"));
    }
}
