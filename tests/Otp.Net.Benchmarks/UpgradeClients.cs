using System.Diagnostics;
using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Sys;

namespace Otp.Net.Benchmarks;

/// <summary>
/// W7's clients (WORKLOADS.md): each loops picking a server at random and calling <c>incr</c> with the default timeout,
/// counting successes and failures and the longest call; and the final check that every server holds the upgraded
/// state and that the counts add up to the successful calls.
/// </summary>
internal sealed class UpgradeClients
{
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly long[] _ok;
    private readonly long[] _failed;
    private readonly long[] _maxTicks;
    private readonly Task[] _clients;

    public UpgradeClients(Pid[] servers, int count)
    {
        _ok = new long[count];
        _failed = new long[count];
        _maxTicks = new long[count];
        _clients = Enumerable.Range(0, count).Select(c => Task.Run(async () =>
        {
            var rnd = new Random(c);
            await _release.Task;
            while (!_stop.IsCancellationRequested)
            {
                var t0 = Stopwatch.GetTimestamp();
                try
                {
                    await GenServer.CallAsync(servers[rnd.Next(servers.Length)], "incr");
                    _ok[c]++;
                }
                catch (Exception)
                {
                    _failed[c]++;
                }
                _maxTicks[c] = Math.Max(_maxTicks[c], Stopwatch.GetTimestamp() - t0);
            }
        })).ToArray();
    }

    public long Ok => _ok.Sum();

    public long Failed => _failed.Sum();

    public double MaxCallMs => _maxTicks.Length == 0 ? 0 : _maxTicks.Max() * 1000.0 / Stopwatch.Frequency;

    /// <summary>Lets the clients go and gives them 200 ms before the upgrade starts.</summary>
    public async Task StartAsync()
    {
        if (_clients.Length == 0) return;
        _release.SetResult();
        await Task.Delay(200);
    }

    /// <summary>Stops the clients 200 ms after the upgrade ended.</summary>
    public async Task StopAsync()
    {
        if (_clients.Length == 0) return;
        await Task.Delay(200);
        _stop.Cancel();
        await Task.WhenAll(_clients);
        _stop.Dispose();
    }

    /// <summary>Whether every server holds a v2 state (<c>Count</c>, <c>Upgraded</c> true) and the counts add up to the successful calls.</summary>
    public async Task<bool> VerifyAsync(Pid[] servers)
    {
        long sum = 0;
        foreach (var s in servers)
        {
            var state = await SysOps.GetStateAsync(s);
            var count = state?.GetType().GetProperty("Count")?.GetValue(state);
            var upgraded = state?.GetType().GetProperty("Upgraded")?.GetValue(state);
            if (count is not int n || upgraded is not true) return false;
            sum += n;
        }
        return sum == Ok;
    }
}
