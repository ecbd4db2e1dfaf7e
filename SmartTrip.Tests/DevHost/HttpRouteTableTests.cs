using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Primitives;
using SmartTrip.DevHost;
using SmartTrip.Functions.Http;

namespace SmartTrip.Tests.DevHost;

[Trait("Category", "Unit")]
public sealed class HttpRouteTableTests
{
    [Theory]
    [InlineData("countries", "GET")]
    [InlineData("countries/12", "GET")]
    [InlineData("/v2/templates/7/", "GET")]
    [InlineData("V2/Companies", "GET")]
    [InlineData("countries/abc", "GET")] // the function reads the id and answers its JSON 404
    [InlineData("countries/99999999999", "GET")]
    public void Known_paths_report_their_methods(string path, string methods) =>
        Assert.Equal(methods, string.Join(",", HttpRouteTable.Default.AllowedMethods(path)));

    [Theory]
    [InlineData("countries/1/2")]
    [InlineData("v2/trips")]
    [InlineData("")]
    [InlineData("v2/templates/1/more")]
    public void Unknown_paths_have_no_methods(string path) =>
        Assert.Empty(HttpRouteTable.Default.AllowedMethods(path));

    [Fact]
    public void The_fallbacks_are_recognised_and_excluded_from_matching()
    {
        var fallbacks = HttpRouteTable.Default.Routes.Where(r => r.IsFallback).Select(r => r.Name).Order();
        Assert.Equal(["UnknownRoute", "WrongMethod"], fallbacks);
        Assert.Equal("GET", string.Join(",", HttpRouteTable.Default.AllowedMethods("health")));
    }
}

[Trait("Category", "Unit")]
public sealed class FunctionKeyPolicyTests
{
    private static HttpRequest Request(string? header = null, string? code = null)
    {
        var context = new DefaultHttpContext();
        if (header is not null)
        {
            context.Request.Headers[FunctionKeyPolicy.HeaderName] = header;
        }

        if (code is not null)
        {
            context.Request.Query = new QueryCollection(new Dictionary<string, StringValues> { ["code"] = code });
        }

        return context.Request;
    }

    private readonly FunctionKeyPolicy _policy = new("k3y", "m4ster");

    [Fact]
    public void Anonymous_functions_need_no_key() => Assert.True(_policy.IsAuthorized(AuthorizationLevel.Anonymous, Request()));

    [Fact]
    public void Function_level_accepts_the_key_in_header_or_query()
    {
        Assert.True(_policy.IsAuthorized(AuthorizationLevel.Function, Request(header: "k3y")));
        Assert.True(_policy.IsAuthorized(AuthorizationLevel.Function, Request(code: "k3y")));
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("wrong", null)]
    [InlineData(null, "K3Y")]
    [InlineData("", "")]
    public void Function_level_refuses_a_missing_or_wrong_key(string? header, string? code) =>
        Assert.False(_policy.IsAuthorized(AuthorizationLevel.Function, Request(header, code)));
}

[Trait("Category", "Unit")]
public sealed class MasterKeyPolicyTests
{
    private readonly FunctionKeyPolicy _policy = new("k3y", "m4ster");

    private static HttpRequest Request(string key)
    {
        var context = new DefaultHttpContext();
        context.Request.Headers[FunctionKeyPolicy.HeaderName] = key;
        return context.Request;
    }

    [Fact]
    public void The_master_key_opens_every_level_and_the_function_key_is_forbidden_at_admin_level()
    {
        Assert.Equal(200, _policy.Check(AuthorizationLevel.Function, Request("m4ster")));
        Assert.Equal(200, _policy.Check(AuthorizationLevel.Admin, Request("m4ster")));
        Assert.Equal(403, _policy.Check(AuthorizationLevel.Admin, Request("k3y")));
        Assert.Equal(401, _policy.Check(AuthorizationLevel.Admin, Request("nope")));
    }

    [Fact]
    public void An_empty_header_falls_back_to_the_code_parameter_as_on_the_host()
    {
        var context = new DefaultHttpContext();
        context.Request.Headers[FunctionKeyPolicy.HeaderName] = "";
        context.Request.Query = new QueryCollection(new Dictionary<string, StringValues> { ["code"] = "k3y" });
        Assert.Equal(200, _policy.Check(AuthorizationLevel.Function, context.Request));
    }
}
