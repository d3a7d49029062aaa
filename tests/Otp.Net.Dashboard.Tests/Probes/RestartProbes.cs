using System.Net;
using System.Text.Json;
using Otp.Net.Supervision;

namespace Otp.Net.Dashboard.Tests.Probes;

/// <summary>The restart-child button on children of each restart type.</summary>
public sealed class RestartProbes
{
    [Theory]
    [InlineData("temp", RestartType.Temporary)]
    [InlineData("trans", RestartType.Transient)]
    [InlineData("perm", RestartType.Permanent)]
    public async Task RestartChild_LeavesTheChildRunning_WhateverItsRestartType(string id, RestartType restart)
    {
        await using var host = await ProbeHost.StartAsync(
            otp => otp.AddApplication("shop", a => a.Supervisor(s => s
                .Supervisor("crew", c => c.GenServer<ProbeWorker>(id, restart: restart, name: id), name: "crew"))),
            o =>
            {
                o.EnableActions = true;
                o.OperatePolicy = "operate";
            });
        using var operator_ = host.NewClient("olga", "operator");
        var crew = host.Node.WhereIs("crew")!.Value;
        var before = host.Node.WhereIs(id)!.Value;
        using var response = await host.PostRawAsync(operator_, $"/otp/api/supervisors/{ProbeHost.Url(crew)}/children/{id}/restart", "{}");
        var text = await response.Content.ReadAsStringAsync();
        var children = await Supervisor.WhichChildrenAsync(crew, ProbeHost.Safety);
        children.Should().ContainSingle(c => c.Id == id && !c.Pid.IsUndefined,
            $"the {restart} child must still be running after restart-child (the action answered {(int)response.StatusCode} {text})");
        if (restart == RestartType.Temporary)
        {
            // U5: a terminated temporary child is deleted, so restart-child refuses it and leaves it as it was.
            response.StatusCode.Should().Be(HttpStatusCode.Conflict, text);
            JsonDocument.Parse(text).RootElement.GetProperty("error").GetString().Should().Contain("temporary");
            host.Node.WhereIs(id).Should().Be(before);
            return;
        }
        response.StatusCode.Should().Be(HttpStatusCode.OK, text);
        JsonDocument.Parse(text).RootElement.GetProperty("ok").GetBoolean().Should().BeTrue();
        host.Node.WhereIs(id).Should().NotBe(before);
    }
}
