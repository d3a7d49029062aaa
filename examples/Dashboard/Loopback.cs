using System.Net;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace Dashboard;

/// <summary>The example's authorization: the dashboard's actions are for connections from this machine only.</summary>
public static class Loopback
{
    /// <summary>The request comes from the loopback address (an IPv4 address mapped into IPv6 counts as the IPv4 one).</summary>
    public static bool IsLoopback(HttpContext? request) =>
        request?.Connection.RemoteIpAddress is { } ip && IPAddress.IsLoopback(ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip);
}

/// <summary>
/// The example signs nobody in, so there is no one to challenge: an action refused by its policy gets 403 with the
/// dashboard's error shape, where the default handler would ask an authentication scheme the app does not have.
/// </summary>
public sealed class RefuseWithoutSignIn : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(authorizeResult);
        if (!authorizeResult.Challenged && !authorizeResult.Forbidden) return _default.HandleAsync(next, context, policy, authorizeResult);
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        return context.Response.WriteAsJsonAsync(new { ok = false, result = (string?)null, error = "actions are allowed only from this machine" });
    }
}
